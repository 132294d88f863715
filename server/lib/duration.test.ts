import { describe, expect, it } from 'vitest';
import { formatDuration, formatMeasuredHours } from './duration';

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

describe('formatMeasuredHours', () => {
  it.each([
    [0.02, '约 1 分钟'],
    [0.5, '30 分钟'],
    [0.26, '约 16 分钟'],
    [1.97, '约 2 小时'],
    [3, '3 小时'],
    [36.2, '约 36 小时'],
    [72, '3 天'],
    [80, '约 3.5 天'],
  ])('%f hours → %s', (hours, text) => {
    expect(formatMeasuredHours(hours)).toBe(text);
  });

  it('says — when nothing was measured', () => {
    expect(formatMeasuredHours(null)).toBe('—');
    expect(formatMeasuredHours(undefined)).toBe('—');
    expect(formatMeasuredHours(Number.NaN)).toBe('—');
  });
});
