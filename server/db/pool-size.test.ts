import { describe, expect, it } from 'vitest';
import { poolMaxFromEnv } from './client';

describe('DATABASE_POOL_MAX', () => {
  it('is 10 connections when unset or blank, else the whole number given', () => {
    expect(poolMaxFromEnv({})).toBe(10);
    expect(poolMaxFromEnv({ DATABASE_POOL_MAX: ' ' })).toBe(10);
    expect(poolMaxFromEnv({ DATABASE_POOL_MAX: '40' })).toBe(40);
  });

  it('refuses anything else at start, naming the variable', () => {
    for (const bad of ['0', '-3', '2.5', 'ten', '1001']) {
      expect(() => poolMaxFromEnv({ DATABASE_POOL_MAX: bad })).toThrow(/DATABASE_POOL_MAX/);
    }
  });
});
