export { RiskService, riskFlagLabels, type RiskFlag, type RiskFlagCode, type RiskThresholds } from './risk.service';
