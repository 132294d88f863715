import { describe, expect, it } from 'vitest';
import { evaluate, matches, rulePresets, ruleProblems, type Rule } from './rules';

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

  it('a manual rule before a fast-queue rule keeps the lead for a person: the tiers of a score band', () => {
    const tiers = rulePresets.score_tiers.rules.map((r, i) => rule({ ...r, id: `t${i}` }));
    const tierOf = (creditScore: number) => {
      const r = evaluate(tiers, { creditScore, amountFen: 1 });
      return r.decline ? `decline:${r.decline.rejectReason}` : r.fast ? 'fast' : r.manual ? 'manual' : 'none';
    };
    expect(tierOf(800)).toBe('fast');
    expect(tierOf(751)).toBe('fast');
    expect(tierOf(750)).toBe('manual');
    expect(tierOf(600)).toBe('manual');
    expect(tierOf(599)).toBe('decline:credit_score');
    // no score consented: no tier rule can match (no guessing)
    expect(evaluate(tiers, { amountFen: 1 }).matched).toEqual([]);
    // the default rule an institution may switch on: auto-pass at 650
    const [autoPass] = rulePresets.auto_pass_650.rules.map((r) => rule({ ...r, id: 'a' }));
    expect(evaluate([autoPass!], { creditScore: 650, amountFen: 1 }).fast?.id).toBe('a');
    expect(evaluate([autoPass!], { creditScore: 649, amountFen: 1 }).fast).toBeUndefined();
  });

  it('every preset rule is usable as defined', () => {
    for (const preset of Object.values(rulePresets)) for (const r of preset.rules) expect(ruleProblems(r)).toEqual({});
  });

  it('explains unusable definitions', () => {
    expect(ruleProblems({ field: 'city', operator: '>=', value: '1', action: 'fast_queue' }).operator).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: 'abc', action: 'fast_queue' }).value).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: '22', action: 'decline' }).rejectReason).toBeTruthy();
    expect(ruleProblems({ field: 'age', operator: '<', value: '22', action: 'decline', rejectReason: 'policy' })).toEqual({});
  });
});
