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
  action: 'fast_queue' | 'decline';
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

/** Rules in priority order: the first matching decline wins; otherwise any matching fast-queue rule. */
export function evaluate(rules: Rule[], facts: LeadFacts): { decline?: Rule; fast?: Rule; matched: Rule[] } {
  const sorted = [...rules].sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
  const matched = sorted.filter((r) => matches(r, facts));
  return { decline: matched.find((r) => r.action === 'decline'), fast: matched.find((r) => r.action === 'fast_queue'), matched };
}

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
