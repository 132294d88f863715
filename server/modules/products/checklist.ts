import type { ProductParams } from './product-params';

export interface ChecklistItem {
  key: string;
  label: string;
  /** computed by the platform; approval needs every automatic item passed */
  automatic: boolean;
  /** true / false for automatic items; null for what a reviewer judges */
  passed: boolean | null;
  detail: string;
}

export interface ChecklistContext {
  apr: { min: number; max: number } | null;
  /** `rates.listingCap`, never taken above 0.36 */
  listingCap: number;
  /** the APR above which the high-rate label is required (24%, fixed by regulation) */
  labelAbove: number;
  /** the APR above which consumer pages show the high-rate label */
  displayedLabelAbove: number;
  institutionKind: string;
  categories: readonly string[];
}

const LEGAL_CAP = 0.36;
const pct = (r: number) => `${(r * 100).toFixed(2)}%`;

/** The review checklist of one version, computed where a rule can decide it. Pure. */
export function reviewChecklist(p: ProductParams, ctx: ChecklistContext): ChecklistItem[] {
  const cap = Math.min(ctx.listingCap, LEGAL_CAP);
  const apr = ctx.apr;
  const items: ChecklistItem[] = [];
  const auto = (key: string, label: string, passed: boolean, detail: string) => items.push({ key, label, automatic: true, passed, detail });

  auto(
    'apr_disclosed',
    '综合年化利率已计算并披露',
    apr !== null && Number.isFinite(apr.min) && Number.isFinite(apr.max),
    apr ? `综合年化 ${pct(apr.min)}–${pct(apr.max)}（IRR，含全部费用）` : '无法计算综合年化利率',
  );
  auto(
    'apr_cap',
    `综合年化不超过上架上限 ${pct(cap)}`,
    apr !== null && apr.max <= cap + 1e-9,
    apr ? `最高综合年化 ${pct(apr.max)}` : '无法计算综合年化利率',
  );
  const needsLabel = apr !== null && apr.max > ctx.labelAbove + 1e-9;
  const labelled = apr !== null && apr.max > ctx.displayedLabelAbove + 1e-9;
  auto(
    'rate_label',
    `高于 ${pct(ctx.labelAbove)} 时须标注高利率提示`,
    !needsLabel || labelled,
    !needsLabel ? '无需标注' : labelled ? '产品页和卡片会自动显示高利率提示' : `综合年化可达 ${apr ? pct(apr.max) : '—'}，但页面仅在高于 ${pct(ctx.displayedLabelAbove)} 时显示提示`,
  );
  const microloan = ctx.institutionKind === 'microloan';
  auto(
    'students_excluded',
    '小额贷款公司产品不向在校学生放款',
    !microloan || p.eligibility.studentsExcluded,
    !microloan ? '非小额贷款公司，不适用' : p.eligibility.studentsExcluded ? '已排除在校学生' : '小额贷款公司产品必须排除在校学生',
  );
  const missing: string[] = [];
  if (!p.name.trim()) missing.push('产品名称');
  if (!ctx.categories.includes(p.category)) missing.push('类别');
  if (!p.summary.trim()) missing.push('简介');
  if (!p.termOptions.length) missing.push('期限');
  if (!p.repaymentMethods.length) missing.push('还款方式');
  if (!p.requiredDocuments.length) missing.push('所需材料');
  auto('required_fields', '必填信息完整', missing.length === 0, missing.length ? `缺少：${missing.join('、')}` : '名称、类别、简介、期限、还款方式、所需材料齐全');
  const problems: string[] = [];
  if (!(p.minAmountFen > 0 && p.maxAmountFen >= p.minAmountFen)) problems.push('额度范围不成立');
  if (p.termOptions.some((t) => !Number.isInteger(t) || t < 1 || t > 360)) problems.push('期限须为 1–360 个月');
  if (Number(p.rateMax) < Number(p.rateMin)) problems.push('利率范围不成立');
  if (p.eligibility.minAge < 18 || p.eligibility.maxAge < p.eligibility.minAge) problems.push('年龄范围不成立（最低 18 岁）');
  if (p.earlyRepaymentFreeAfterMonths > Math.max(0, ...p.termOptions)) problems.push('提前还款免费期数超过最长期限');
  if (p.repaymentMethods.includes('bullet') && p.termOptions.some((t) => t > 12)) problems.push('一次性还本付息的期限不宜超过 12 个月');
  auto('coherent', '额度、期限、利率与条件前后一致', problems.length === 0, problems.length ? problems.join('；') : '一致');
  items.push({ key: 'wording', label: '名称、简介和标签无夸大或误导用语', automatic: false, passed: null, detail: '由审核人判断' });
  return items;
}

export const automaticChecksPass = (items: ChecklistItem[]) => items.every((i) => !i.automatic || i.passed === true);
