/**
 * Staff performance: per staff member over a period, assembled from SQL aggregates (each query
 * answers one measure per staff id; see staff-performance.repository.ts for the basis of each).
 * Pure: merging the measures into one row per person, totals and shares.
 */

/** One institution staff member's work in a period. */
export interface InstitutionStaffPerformance {
  staffId: string;
  name: string;
  role: string;
  /** leads the person changed the status of at least once (the first action included) */
  leadsHandled: number;
  /** leads whose first institution action was theirs */
  firstResponses: number;
  /** the median time from a lead's arrival to its first action, when that action was theirs (hours), null without one */
  medianFirstResponseHours: number | null;
  approvals: number;
  rejections: number;
  disbursements: number;
  disbursedAmountFen: number;
  /** collection: contact attempts made, of which reached the borrower (reached or promised) */
  contacts: number;
  contactsReached: number;
  /** promises to pay recorded, their amount, and how many were kept so far */
  promises: number;
  promisedAmountFen: number;
  promisesKept: number;
  /** repayments received on loans while a collection case assigned to them was open */
  recoveredAmountFen: number;
}

/** One operator's work in a period. */
export interface OperatorPerformance {
  operatorId: string;
  name: string;
  role: string;
  /** complaints assigned to them and resolved in the period, and of those resolved by their deadline */
  complaintsResolved: number;
  complaintsOnTime: number;
  /** complaintsOnTime / complaintsResolved, null without any */
  onTimeShare: number | null;
  reviewsModerated: number;
  productVersionsReviewed: number;
  onboardingsReviewed: number;
  feedbackAnswered: number;
}

export type Counts = Map<string, number>;
export interface Person {
  id: string;
  name: string;
  role: string;
}

const n = (m: Counts | undefined, id: string) => m?.get(id) ?? 0;

/** A share rounded to 4 places (shown as 2-decimal %), null when there is nothing to divide. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/** Minutes as hours with 2 decimals (null stays null). */
export const minutesToHours = (m: number | null | undefined): number | null => (m === null || m === undefined ? null : Math.round((m / 60) * 100) / 100);

export interface InstitutionMeasures {
  leadsHandled: Counts;
  firstResponses: Counts;
  medianFirstResponseMinutes: Counts;
  approvals: Counts;
  rejections: Counts;
  disbursements: Counts;
  disbursedAmountFen: Counts;
  contacts: Counts;
  contactsReached: Counts;
  promises: Counts;
  promisedAmountFen: Counts;
  promisesKept: Counts;
  recoveredAmountFen: Counts;
}

/** One row per staff member (everyone given, active in the period or not), busiest first, then by name. */
export function institutionRows(people: readonly Person[], m: InstitutionMeasures): InstitutionStaffPerformance[] {
  return people
    .map((p) => ({
      staffId: p.id,
      name: p.name,
      role: p.role,
      leadsHandled: n(m.leadsHandled, p.id),
      firstResponses: n(m.firstResponses, p.id),
      medianFirstResponseHours: minutesToHours(m.medianFirstResponseMinutes.get(p.id)),
      approvals: n(m.approvals, p.id),
      rejections: n(m.rejections, p.id),
      disbursements: n(m.disbursements, p.id),
      disbursedAmountFen: n(m.disbursedAmountFen, p.id),
      contacts: n(m.contacts, p.id),
      contactsReached: n(m.contactsReached, p.id),
      promises: n(m.promises, p.id),
      promisedAmountFen: n(m.promisedAmountFen, p.id),
      promisesKept: n(m.promisesKept, p.id),
      recoveredAmountFen: n(m.recoveredAmountFen, p.id),
    }))
    .sort((a, b) => b.leadsHandled + b.contacts - (a.leadsHandled + a.contacts) || a.name.localeCompare(b.name, 'zh-CN'));
}

export interface OperatorMeasures {
  complaintsResolved: Counts;
  complaintsOnTime: Counts;
  reviewsModerated: Counts;
  productVersionsReviewed: Counts;
  onboardingsReviewed: Counts;
  feedbackAnswered: Counts;
}

export function operatorRows(people: readonly Person[], m: OperatorMeasures): OperatorPerformance[] {
  return people
    .map((p) => {
      const resolved = n(m.complaintsResolved, p.id);
      const onTime = n(m.complaintsOnTime, p.id);
      return {
        operatorId: p.id,
        name: p.name,
        role: p.role,
        complaintsResolved: resolved,
        complaintsOnTime: onTime,
        onTimeShare: share(onTime, resolved),
        reviewsModerated: n(m.reviewsModerated, p.id),
        productVersionsReviewed: n(m.productVersionsReviewed, p.id),
        onboardingsReviewed: n(m.onboardingsReviewed, p.id),
        feedbackAnswered: n(m.feedbackAnswered, p.id),
      };
    })
    .sort((a, b) => total(b) - total(a) || a.name.localeCompare(b.name, 'zh-CN'));
}

const total = (o: OperatorPerformance) => o.complaintsResolved + o.reviewsModerated + o.productVersionsReviewed + o.onboardingsReviewed + o.feedbackAnswered;

/** The team's totals (the median is not summable: it is left out). */
export function institutionTotals(rows: readonly InstitutionStaffPerformance[]) {
  const sum = (k: keyof InstitutionStaffPerformance) => rows.reduce((s, r) => s + (r[k] as number), 0);
  return {
    leadsHandled: sum('leadsHandled'),
    approvals: sum('approvals'),
    rejections: sum('rejections'),
    disbursements: sum('disbursements'),
    disbursedAmountFen: sum('disbursedAmountFen'),
    contacts: sum('contacts'),
    promises: sum('promises'),
    promisedAmountFen: sum('promisedAmountFen'),
    recoveredAmountFen: sum('recoveredAmountFen'),
  };
}
