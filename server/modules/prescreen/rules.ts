/** Pure evaluation of pre-screen rules against what a lead tells the institution. */
export interface LeadFacts {
  creditScore?: number;
  monthlyIncomeFen?: number;
  age?: number;
  amountFen: number;
  city?: string;
}

export interface Rule {
  id: string;
  field: 'creditScore' | 'monthlyIncome' | 'age' | 'amount' | 'city';
  operator: '>=' | '>' | '<=' | '<' | 'in' | 'not_in';
  value: string;
  action: 'fast_queue' | 'manual' | 'decline';
  rejectReason: string | null;
  priority: number;
}

function factOf(facts: LeadFacts, field: Rule['field']): number | string | undefined {
  switch (field) {
    case 'creditScore':
      return facts.creditScore;
    case 'monthlyIncome':
      return facts.monthlyIncomeFen === undefined ? undefined : facts.monthlyIncomeFen / 100;
    case 'age':
      return facts.age;
    case 'amount':
      return facts.amountFen / 100;
    case 'city':
      return facts.city;
  }
}

/** Does the rule match? A fact the lead does not carry never matches (no guessing). */
export function matches(rule: Rule, facts: LeadFacts): boolean {
  const fact = factOf(facts, rule.field);
  if (fact === undefined || fact === '') return false;
  if (rule.operator === 'in' || rule.operator === 'not_in') {
    const list = rule.value.split(/[,，、\s]+/).filter(Boolean);
    const inList = list.some((c) => String(fact).startsWith(c));
    return rule.operator === 'in' ? inList : !inList;
  }
  const n = Number(fact);
  const v = Number(rule.value);
  if (!Number.isFinite(n) || !Number.isFinite(v)) return false;
  switch (rule.operator) {
    case '>=':
      return n >= v;
    case '>':
      return n > v;
    case '<=':
      return n <= v;
    case '<':
      return n < v;
  }
}

/**
 * Rules in priority order: the first matching decline (by priority) wins, whatever else matched;
 * among the others the first matching fast-queue or manual rule is the tier (manual: the lead stays
 * in the normal queue for a person to review, and no later fast-queue rule applies: the tiers of a
 * score band, e.g. > 750 fast, 600–750 manual). The service applies the decline over the tier.
 */
export function evaluate(rules: Rule[], facts: LeadFacts): { decline?: Rule; fast?: Rule; manual?: Rule; matched: Rule[] } {
  const sorted = [...rules].sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
  const matched = sorted.filter((r) => matches(r, facts));
  const decline = matched.find((r) => r.action === 'decline');
  const tier = matched.find((r) => r.action !== 'decline');
  return { decline, fast: tier?.action === 'fast_queue' ? tier : undefined, manual: tier?.action === 'manual' ? tier : undefined, matched };
}

/** Ready-made rule sets an institution may switch on with one click (from the partners' own routing: seeds 001/002). */
export const rulePresets = {
  auto_pass_650: {
    label: '信用分 ≥ 650 自动进入快速通道',
    rules: [{ name: '信用分 ≥ 650 快速通道', field: 'creditScore', operator: '>=', value: '650', action: 'fast_queue', rejectReason: null, priority: 50 }],
  },
  score_tiers: {
    label: '按信用分分档：> 750 快速通道，600–750 人工审核，< 600 自动拒绝',
    rules: [
      { name: '信用分 > 750 快速通道', field: 'creditScore', operator: '>', value: '750', action: 'fast_queue', rejectReason: null, priority: 10 },
      { name: '信用分 600–750 人工审核', field: 'creditScore', operator: '>=', value: '600', action: 'manual', rejectReason: null, priority: 20 },
      { name: '信用分 < 600 自动拒绝', field: 'creditScore', operator: '<', value: '600', action: 'decline', rejectReason: 'credit_score', priority: 30 },
    ],
  },
} as const satisfies Record<string, { label: string; rules: readonly (Omit<Rule, 'id' | 'rejectReason'> & { name: string; rejectReason: string | null })[] }>;
export type RulePreset = keyof typeof rulePresets;

/** Why a rule definition is unusable, per field, or {}. */
export function ruleProblems(input: { field: string; operator: string; value: string; action: string; rejectReason?: string | null }): Record<string, string> {
  const problems: Record<string, string> = {};
  const listOp = input.operator === 'in' || input.operator === 'not_in';
  if (input.field === 'city' && !listOp) problems.operator = '城市只能用“属于 / 不属于”';
  if (input.field !== 'city' && listOp) problems.operator = '数值字段请用比较运算';
  if (!listOp && !Number.isFinite(Number(input.value))) problems.value = '请输入数字';
  if (listOp && input.value.trim().length === 0) problems.value = '请输入城市，逗号分隔';
  if (input.action === 'decline' && !input.rejectReason) problems.rejectReason = '自动拒绝须选择拒绝原因';
  return problems;
}
