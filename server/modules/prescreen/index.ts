export { PrescreenService, activeRulesSql, type PrescreenRule, type PrescreenDecision, type NewRule } from './prescreen.service';
export { evaluate, matches, ruleProblems, rulePresets, type LeadFacts, type Rule, type RulePreset } from './rules';
