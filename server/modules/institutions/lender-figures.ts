import { formatMeasuredHours } from '../../lib/duration';

/** The window of the approval rate and the response time on a lender's public page. */
export const FIGURES_WINDOW_DAYS = 90;
/** The window of the complaint record. */
export const COMPLAINTS_WINDOW_DAYS = 365;
/** Below this many decided (or answered) applications a rate or a median says too little: "样本不足". */
export const MIN_SAMPLE = 10;

/** What the database counts for one institution (see ProfilesRepository.counts). */
export interface LenderCounts {
  /** applications received in the window */
  applications: number;
  /** of those, decided by the institution: approved (whatever the borrower did next) or rejected */
  decided: number;
  approved: number;
  /** of those, answered by the institution (a first action on the lead) */
  responded: number;
  medianResponseMinutes: number | null;
  /** complaints about the institution in the complaint window */
  complaints: number;
  /** of those, resolved or closed */
  resolved: number;
  medianResolutionHours: number | null;
}

/** The figures as the page and the API show them: null where the sample is too small. */
export interface LenderFigures {
  windowDays: number;
  minSample: number;
  applications: number;
  decided: number;
  /** approved ÷ decided, a fraction with four decimals; null below the minimum sample */
  approvalRate: number | null;
  responded: number;
  /** median minutes from application to the institution's first action; null below the minimum sample */
  medianResponseMinutes: number | null;
  complaints: {
    windowDays: number;
    count: number;
    resolved: number;
    /** resolved ÷ count, four decimals; null without complaints */
    resolvedShare: number | null;
    /** median hours from filing to resolution; null when none was resolved */
    medianResolutionHours: number | null;
  };
}

const fraction = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;

/** Turns the counts into the shown figures: rates as fractions, medians rounded, nothing shown from too small a sample. */
export function lenderFigures(c: LenderCounts): LenderFigures {
  return {
    windowDays: FIGURES_WINDOW_DAYS,
    minSample: MIN_SAMPLE,
    applications: c.applications,
    decided: c.decided,
    approvalRate: c.decided >= MIN_SAMPLE ? fraction(c.approved, c.decided) : null,
    responded: c.responded,
    medianResponseMinutes: c.responded >= MIN_SAMPLE && c.medianResponseMinutes !== null ? Math.round(c.medianResponseMinutes) : null,
    complaints: {
      windowDays: COMPLAINTS_WINDOW_DAYS,
      count: c.complaints,
      resolved: c.resolved,
      resolvedShare: c.complaints > 0 ? fraction(c.resolved, c.complaints) : null,
      medianResolutionHours: c.resolved > 0 && c.medianResolutionHours !== null ? Math.round(c.medianResolutionHours * 10) / 10 : null,
    },
  };
}

/** The basis said beside the figures: "近90天 25 笔申请，其中 20 笔已有审批结果". */
export function figuresBasis(f: LenderFigures): string {
  return `近${f.windowDays}天 ${f.applications} 笔申请，其中 ${f.decided} 笔已有审批结果、${f.responded} 笔已获机构响应`;
}

/** A median time in words ("约 2 小时"), or "样本不足" when there is none to show. */
export function medianText(minutes: number | null): string {
  return minutes === null ? '样本不足' : formatMeasuredHours(minutes / 60);
}
