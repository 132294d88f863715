export { AnalyticsService, channelLabels, type InstitutionStatistics, type OperatorDashboard, type Kpis, type DailyRow, type ProductRow, type DashboardDay, type DashboardInstitution } from './analytics.service';
export { funnelSteps, funnelStepLabels, type FunnelStep, type FunnelKey } from './funnel';
export { parseDateRange, shanghaiDate, addDays, MAX_RANGE_DAYS, RANGE_PRESETS, DEFAULT_RANGE_DAYS, type DateRange } from './date-range';
export { ageBand, ageBands, suppressSmallGroups, MIN_GROUP_SIZE, type MixBucket } from './mix';
