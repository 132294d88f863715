export { PrescreenService, type PrescreenRule, type NewRule } from './prescreen.service';
export { evaluate, matches, ruleProblems, rulePresets, type LeadFacts, type Rule, type RulePreset } from './rules';
