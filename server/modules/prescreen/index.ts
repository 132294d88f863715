export { PrescreenService, type PrescreenRule, type NewRule } from './prescreen.service';
export { evaluate, matches, ruleProblems, type LeadFacts, type Rule } from './rules';
