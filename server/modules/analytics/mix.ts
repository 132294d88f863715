import { sql, type SQL } from 'drizzle-orm';

/** Customer-mix buckets and the small-group rule that keeps them anonymous. */

/** Buckets smaller than this are not shown (k-anonymity): a page says "<5" instead. */
export const MIN_GROUP_SIZE = 5;

/** Age bands: [label, lowest age, highest age]; the JS and SQL banding both read this table. */
const bandTable = [
  ['18–25', 18, 25],
  ['26–35', 26, 35],
  ['36–45', 36, 45],
  ['46–55', 46, 55],
  ['56+', 56, Infinity],
] as const;
export const ageBands = bandTable.map(([label]) => label);
export type AgeBand = (typeof bandTable)[number][0] | '未知';

/** The age band of an age in whole years; under 18 or unknown is '未知'. */
export function ageBand(age: number | null | undefined): AgeBand {
  if (age === null || age === undefined || !Number.isFinite(age)) return '未知';
  return bandTable.find(([, lo, hi]) => age >= lo && age <= hi)?.[0] ?? '未知';
}

/** The same banding as a SQL expression over an age expression, for GROUP BY. */
export function ageBandSql(age: SQL): SQL<string> {
  const cases = bandTable.map(([label, lo, hi]) =>
    hi === Infinity ? sql`when ${age} >= ${sql.raw(String(lo))} then ${sql.raw(`'${label}'`)}` : sql`when ${age} between ${sql.raw(String(lo))} and ${sql.raw(String(hi))} then ${sql.raw(`'${label}'`)}`,
  );
  return sql<string>`(case ${sql.join(cases, sql` `)} else '未知' end)`;
}

export interface MixBucket {
  label: string;
  /** distinct people; null when suppressed */
  people: number | null;
  /** share of all people counted in this mix; null when suppressed */
  share: number | null;
  /** fewer than MIN_GROUP_SIZE people (or withheld so that such a group cannot be derived): shown as "<5" */
  suppressed: boolean;
  /** what a page shows instead of the number: "<5", or "已隐藏" for a bucket withheld so a small one cannot be derived */
  display: string;
}

/**
 * Buckets of people with those under `k` suppressed: their count and share are withheld.
 * When exactly one bucket is under `k`, the next smallest is withheld too (complementary
 * suppression), so a small group cannot be recovered from the total by subtraction. Shares
 * are of every person counted.
 */
export function suppressSmallGroups(counts: { label: string; people: number }[], k = MIN_GROUP_SIZE): MixBucket[] {
  const present = counts.filter((c) => c.people > 0);
  const total = present.reduce((s, c) => s + c.people, 0);
  const hidden = new Set(present.filter((c) => c.people < k).map((c) => c.label));
  if (hidden.size === 1) {
    const next = present.filter((c) => !hidden.has(c.label)).sort((a, b) => a.people - b.people)[0];
    if (next) hidden.add(next.label);
  }
  return present.map((c) =>
    hidden.has(c.label)
      ? { label: c.label, people: null, share: null, suppressed: true, display: c.people < k ? `<${k}` : '已隐藏' }
      : { label: c.label, people: c.people, share: total ? c.people / total : null, suppressed: false, display: String(c.people) },
  );
}
