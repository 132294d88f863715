import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration';

describe('formatDuration', () => {
  it.each([
    [0, '1 分钟'],
    [5, '5 分钟'],
    [59, '59 分钟'],
    [60, '1 小时'],
    [90, '1.5 小时'],
    [100, '1.5 小时'],
    [105, '2 小时'],
    [240, '4 小时'],
    [1440, '24 小时'],
    [47 * 60, '47 小时'],
    [48 * 60, '2 天'],
    [3 * 1440 + 720, '3.5 天'],
    [7 * 1440, '7 天'],
  ])('%i minutes → %s', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  it('refuses what is not a duration', () => {
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});
