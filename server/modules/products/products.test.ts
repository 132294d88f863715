import { describe, expect, it } from 'vitest';
import { automaticChecksPass, reviewChecklist, type ChecklistContext } from './checklist';
import { normalizeParams, type ProductParams } from './product-params';
import { changedCount, diffVersions } from './version-diff';

const base: ProductParams = normalizeParams({
  name: '测试信用贷',
  category: '信用贷',
  summary: '线上申请',
  minAmountFen: 100_000,
  maxAmountFen: 5_000_000,
  termOptions: [12, 6],
  rateMin: '0.072',
  rateMax: '0.18',
  upfrontFeeRate: '0',
  upfrontFeeMode: 'deducted',
  monthlyFeeRate: '0',
  guaranteeFeeRate: '0',
  insuranceFeeRate: '0',
  earlyRepaymentFeeRate: '0.01',
  earlyRepaymentFreeAfterMonths: 3,
  repaymentMethods: ['equal_installment'],
  eligibility: { minAge: 22, maxAge: 55, minMonthlyIncomeFen: 300_000, regions: [], employmentTypes: [], studentsExcluded: true },
  requiredDocuments: ['身份证'],
  decisionMinutes: 30,
  disbursementHours: 24,
  tags: ['线上'],
});

const ctx: ChecklistContext = {
  apr: { min: 0.072, max: 0.19 },
  listingCap: 0.36,
  labelAbove: 0.24,
  displayedLabelAbove: 0.24,
  institutionKind: 'bank',
  categories: ['信用贷', '消费贷'],
};
const item = (items: ReturnType<typeof reviewChecklist>, key: string) => items.find((i) => i.key === key)!;

describe('version diff', () => {
  it('marks only the fields that changed, formatted as people read them', () => {
    const next = { ...base, rateMax: '0.200000', maxAmountFen: 8_000_000, eligibility: { ...base.eligibility, regions: ['北京'] } };
    const rows = diffVersions(base, next);
    expect(changedCount(rows)).toBe(3);
    const rate = rows.find((r) => r.key === 'rateMax')!;
    expect(rate).toMatchObject({ changed: true, before: '18.00%', after: '20.00%' });
    expect(rows.find((r) => r.key === 'maxAmount')).toMatchObject({ changed: true, before: '¥50,000.00', after: '¥80,000.00' });
    expect(rows.find((r) => r.key === 'regions')).toMatchObject({ before: '全国', after: '北京' });
    expect(rows.find((r) => r.key === 'name')!.changed).toBe(false);
  });

  it('a rate written another way is not a change', () => {
    expect(changedCount(diffVersions(base, normalizeParams({ ...base, rateMin: '0.0720' })))).toBe(0);
  });

  it('without an approved version every field is new', () => {
    const rows = diffVersions(null, base);
    expect(rows.every((r) => r.changed && r.before === null)).toBe(true);
  });
});

describe('review checklist', () => {
  it('passes a plain product', () => {
    const items = reviewChecklist(base, ctx);
    expect(automaticChecksPass(items)).toBe(true);
    expect(item(items, 'wording')).toMatchObject({ automatic: false, passed: null });
  });

  it('fails above the listing cap, and never allows more than 36%', () => {
    expect(item(reviewChecklist(base, { ...ctx, apr: { min: 0.2, max: 0.37 } }), 'apr_cap').passed).toBe(false);
    expect(item(reviewChecklist(base, { ...ctx, listingCap: 0.3, apr: { min: 0.2, max: 0.31 } }), 'apr_cap').passed).toBe(false);
    expect(item(reviewChecklist(base, { ...ctx, listingCap: 0.5 as number, apr: { min: 0.2, max: 0.4 } }), 'apr_cap').passed).toBe(false);
    expect(automaticChecksPass(reviewChecklist(base, { ...ctx, apr: { min: 0.2, max: 0.37 } }))).toBe(false);
  });

  it('fails when the APR cannot be computed', () => {
    const items = reviewChecklist(base, { ...ctx, apr: null });
    expect(item(items, 'apr_disclosed').passed).toBe(false);
  });

  it('requires the high-rate label above rates.labelAbove', () => {
    expect(item(reviewChecklist(base, { ...ctx, apr: { min: 0.1, max: 0.3 } }), 'rate_label').passed).toBe(true);
    // the setting is stricter than what pages label automatically: a 22% product would go unlabelled
    expect(item(reviewChecklist(base, { ...ctx, labelAbove: 0.2, apr: { min: 0.1, max: 0.22 } }), 'rate_label').passed).toBe(false);
  });

  it('a microloan product must exclude students', () => {
    const open = { ...base, eligibility: { ...base.eligibility, studentsExcluded: false } };
    expect(item(reviewChecklist(open, { ...ctx, institutionKind: 'microloan' }), 'students_excluded').passed).toBe(false);
    expect(item(reviewChecklist(base, { ...ctx, institutionKind: 'microloan' }), 'students_excluded').passed).toBe(true);
    expect(item(reviewChecklist(open, ctx), 'students_excluded').passed).toBe(true);
  });

  it('names missing fields and incoherent ranges', () => {
    const missing = reviewChecklist({ ...base, summary: ' ', requiredDocuments: [], category: '别的' }, ctx);
    expect(item(missing, 'required_fields')).toMatchObject({ passed: false });
    expect(item(missing, 'required_fields').detail).toContain('所需材料');
    const incoherent = reviewChecklist({ ...base, maxAmountFen: 50_000, earlyRepaymentFreeAfterMonths: 24 }, ctx);
    expect(item(incoherent, 'coherent').passed).toBe(false);
    expect(item(incoherent, 'coherent').detail).toContain('额度范围不成立');
  });
});
