import { describe, expect, it } from 'vitest';
import { evaluate, matches, ruleProblems, type Rule } from './rules';

const rule = (over: Partial<Rule>): Rule => ({ id: 'r', field: 'creditScore', operator: '>=', value: '650', action: 'fast_queue', rejectReason: null, priority: 100, ...over });

describe('pre-screen rules', () => {
  it('compares numbers, in yuan for money', () => {
    expect(matches(rule({}), { creditScore: 700, amountFen: 1 })).toBe(true);
    expect(matches(rule({}), { creditScore: 600, amountFen: 1 })).toBe(false);
    expect(matches(rule({ field: 'monthlyIncome', operator: '<', value: '5000' }), { monthlyIncomeFen: 450_000, amountFen: 1 })).toBe(true);
    expect(matches(rule({ field: 'amount', operator: '>', value: '100000' }), { amountFen: 10_000_001 })).toBe(true);
  });

  it('matches cities by prefix in a list, and never matches a fact the lead does not carry', () => {
    expect(matches(rule({ field: 'city', operator: 'in', value: '北京, 上海' }), { city: '上海市', amountFen: 1 })).toBe(true);
    expect(matches(rule({ field: 'city', operator: 'not_in', value: '北京,上海' }), { city: '成都', amountFen: 1 })).toBe(true);
    expect(matches(rule({ field: 'city', operator: 'in', value: '北京' }), { amountFen: 1 })).toBe(false);
    expect(matches(rule({}), { amountFen: 1 })).toBe(false);
  });

  it('the first matching decline (by priority) wins over fast-queue rules', () => {
    const rules = [
      rule({ id: 'fast', action: 'fast_queue', priority: 1 }),
      rule({ id: 'low-income', field: 'monthlyIncome', operator: '<', value: '5000', action: 'decline', rejectReason: 'income', priority: 5 }),
      rule({ id: 'young', field: 'age', operator: '<', value: '22', action: 'decline', rejectReason: 'policy', priority: 2 }),
    ];
    const r = evaluate(rules, { creditScore: 800, monthlyIncomeFen: 300_000, age: 20, amountFen: 1 });
    expect(r.decline?.id).toBe('young');
    expect(r.fast?.id).toBe('fast');
    expect(r.matched.map((m) => m.id)).toEqual(['fast', 'young', 'low-income']);
    expect(evaluate(rules, { creditScore: 800, monthlyIncomeFen: 900_000, age: 30, amountFen: 1 }).decline).toBeUndefined();
  });

  it('explains unusable definitions', () => {
    expect(ruleProblems({ field: 'city', operator: '>=', value: '1', action: 'fast_queue' }).operator).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: 'abc', action: 'fast_queue' }).value).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: '22', action: 'decline' }).rejectReason).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: '22', action: 'decline', rejectReason: 'policy' })).toEqual({});
  });
});
