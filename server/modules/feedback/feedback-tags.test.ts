import { describe, expect, it } from 'vitest';
import { MAX_TAGS, normaliseTags } from './feedback.service';

describe('normaliseTags', () => {
  it('splits at spaces and commas (full-width too), lower-cases and drops duplicates and blanks', () => {
    expect(normaliseTags(['UI 还款，还款', ' Bug ,', ''])).toEqual(['ui', '还款', 'bug']);
  });

  it('refuses too many tags or a tag that is too long, naming the field', () => {
    expect(() => normaliseTags(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`))).toThrow(expect.objectContaining({ status: 400, fields: { tags: `最多 ${MAX_TAGS} 个标签` } }));
    expect(() => normaliseTags(['这是一个非常非常非常非常非常非常长的标签名字'])).toThrow(expect.objectContaining({ status: 400 }));
  });
});
