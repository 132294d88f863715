export { AnalyticsService, channelLabels, type InstitutionStatistics, type OperatorDashboard, type Kpis, type DailyRow, type ProductRow, type DashboardDay, type DashboardInstitution } from './analytics.service';
export { funnelSteps, funnelStepLabels, nestedFunnel, type FunnelStep, type FunnelKey, type FunnelPerson } from './funnel';
export { parseDateRange, shanghaiDate, addDays, MAX_RANGE_DAYS, RANGE_PRESETS, DEFAULT_RANGE_DAYS, type DateRange } from './date-range';
export { ageBand, ageBands, suppressSmallGroups, MIN_GROUP_SIZE, type MixBucket } from './mix';
export { BiService, alertKindLabels, COHORT_WEEKS, type PivotResult, type PivotValue, type DrillRow, type CohortRow, type AlertSubscriptionInput } from './bi.service';
export {
  measures as biMeasures,
  measureKeys as biMeasureKeys,
  dimensions as biDimensions,
  dimensionKeys as biDimensionKeys,
  filterKeys as biFilterKeys,
  parseSelection,
  cohortRequest,
  selectionQuery,
  measureText,
  rateText,
  type BiSelection,
  type MeasureKey,
  type DimensionKey,
} from './bi-model';
export { analyticsJobs, NIGHTLY_REBUILD_DAYS, TODAY_EVERY_MS } from './analytics.jobs';
export { biAlertKinds, type BiAlertKind } from './analytics.schema';
export { StaffPerformanceService, type InstitutionPerformanceReport, type OperatorPerformanceReport } from './staff-performance.service';
export { institutionRows, operatorRows, institutionTotals, share, minutesToHours, type InstitutionStaffPerformance, type OperatorPerformance } from './staff-performance';
