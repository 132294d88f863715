import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { readCookie } from './cookies';

const withCookie = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie } }) as Request;

describe('readCookie', () => {
  it('finds a cookie anywhere in the header, its value trimmed', () => {
    const header = 'a=1; dc_vid=0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b;dc_sid = s%3Aabc ;last=z';
    expect(readCookie(withCookie(header), 'a')).toBe('1');
    expect(readCookie(withCookie(header), 'dc_vid')).toBe('0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b');
    expect(readCookie(withCookie(header), 'dc_sid')).toBe('s:abc');
    expect(readCookie(withCookie(header), 'last')).toBe('z');
  });

  it('matches whole names only, never a name inside another pair’s name or value', () => {
    expect(readCookie(withCookie('xdc_vid=1; dc_vidx=2; other=dc_vid=3'), 'dc_vid')).toBeUndefined();
    expect(readCookie(withCookie('other=dc_vid=3; dc_vid=4'), 'dc_vid')).toBe('4');
    expect(readCookie(withCookie('dc_vid; dc_vid=5'), 'dc_vid')).toBe('5');
  });

  it('takes the first of two pairs with the same name, as the cookie package does', () => {
    expect(readCookie(withCookie('dc_vid=first; dc_vid=second'), 'dc_vid')).toBe('first');
  });

  it('decodes percent-encoding, and keeps a value that is not valid percent-encoding as sent', () => {
    expect(readCookie(withCookie('name=%E5%BC%A0%E4%B8%89'), 'name')).toBe('张三');
    expect(readCookie(withCookie('name=100%'), 'name')).toBe('100%');
    expect(readCookie(withCookie('name=%E5%BC'), 'name')).toBe('%E5%BC');
  });

  it('gives undefined with no header, an empty header or an empty name, and an empty value as it is', () => {
    expect(readCookie(withCookie(undefined), 'a')).toBeUndefined();
    expect(readCookie(withCookie(''), 'a')).toBeUndefined();
    expect(readCookie(withCookie('a='), 'a')).toBe('');
    expect(readCookie(withCookie('a=1'), '')).toBeUndefined();
  });
});
