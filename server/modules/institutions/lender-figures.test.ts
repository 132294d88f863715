import { describe, expect, it } from 'vitest';
import { figuresBasis, lenderFigures, medianText, MIN_SAMPLE, type LenderCounts } from './lender-figures';
import { checkPublicFields, diffPublicFields } from './public-profile';

const counts = (over: Partial<LenderCounts> = {}): LenderCounts => ({
  applications: 40,
  decided: 30,
  approved: 20,
  responded: 35,
  medianResponseMinutes: 47.5,
  complaints: 6,
  resolved: 4,
  medianResolutionHours: 30.26,
  ...over,
});

describe('a lender’s figures', () => {
  it('are fractions with four decimals and rounded medians when the sample is large enough', () => {
    const f = lenderFigures(counts());
    expect(f.approvalRate).toBe(0.6667);
    expect(f.medianResponseMinutes).toBe(48);
    expect(f.complaints).toEqual({ windowDays: 365, count: 6, resolved: 4, resolvedShare: 0.6667, medianResolutionHours: 30.3 });
    expect(figuresBasis(f)).toBe('近90天 40 笔申请，其中 30 笔已有审批结果、35 笔已获机构响应');
  });

  it('say nothing below the minimum sample: the rate needs MIN_SAMPLE decided, the median MIN_SAMPLE answered', () => {
    const few = lenderFigures(counts({ decided: MIN_SAMPLE - 1, approved: 9, responded: MIN_SAMPLE - 1 }));
    expect(few.approvalRate).toBeNull();
    expect(few.medianResponseMinutes).toBeNull();
    const enough = lenderFigures(counts({ decided: MIN_SAMPLE, approved: 7, responded: MIN_SAMPLE }));
    expect(enough.approvalRate).toBe(0.7);
    expect(enough.medianResponseMinutes).toBe(48);
  });

  it('show no complaint share without complaints and no resolution time without a resolved one', () => {
    const none = lenderFigures(counts({ complaints: 0, resolved: 0, medianResolutionHours: null }));
    expect(none.complaints).toMatchObject({ count: 0, resolvedShare: null, medianResolutionHours: null });
    expect(lenderFigures(counts({ resolved: 0, medianResolutionHours: null })).complaints.resolvedShare).toBe(0);
  });

  it('say a median time in words, or 样本不足', () => {
    expect(medianText(null)).toBe('样本不足');
    expect(medianText(55)).toBe('55 分钟');
    expect(medianText(125)).toBe('约 2 小时');
  });
});

describe('public information', () => {
  const fields = { description: ' 简介 ', regulator: '国家金融监督管理总局', servicePhone: '400-820-8888', serviceHours: '每天 9:00–21:00' };

  it('is trimmed; in an institution’s draft every field is required and the phone must look like one', () => {
    expect(checkPublicFields(fields).description).toBe('简介');
    expect(() => checkPublicFields({ ...fields, regulator: ' ' })).toThrow(expect.objectContaining({ status: 400, fields: { regulator: '请填写监管机构' } }));
    expect(() => checkPublicFields({ ...fields, servicePhone: 'tel' })).toThrow(expect.objectContaining({ fields: { servicePhone: expect.stringContaining('有效的客服电话') } }));
    for (const phone of ['95555', '010-12345678', '+86 21 1234 5678']) expect(checkPublicFields({ ...fields, servicePhone: phone }).servicePhone).toBe(phone);
    // an operator may leave fields empty
    expect(checkPublicFields({ ...fields, regulator: '', servicePhone: '' }, false)).toMatchObject({ regulator: '', servicePhone: '' });
  });

  it('is compared field by field', () => {
    const changed = diffPublicFields(checkPublicFields(fields), { ...checkPublicFields(fields), serviceHours: '工作日 9:00–18:00' });
    expect(changed.filter((c) => c.changed)).toEqual([{ key: 'serviceHours', label: '客服时间', before: '每天 9:00–21:00', after: '工作日 9:00–18:00', changed: true }]);
  });
});
