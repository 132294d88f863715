export { RiskService, riskFlagLabels, type RiskFlag, type RiskFlagCode, type RiskSignal, type RiskThresholds } from './risk.service';
