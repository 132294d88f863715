import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { cohortRequest, emptySums, measures, measureText, parseSelection, periodEnd, rateText, selectionQuery } from './bi-model';

const today = '2026-03-20';
const fieldsOf = (fn: () => unknown): Record<string, string> => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields ?? {};
  }
  throw new Error('expected a ValidationError');
};

describe('a BI selection', () => {
  it('defaults to three measures over the last 30 days, no grouping', () => {
    expect(parseSelection({}, today)).toEqual({ measures: ['applications', 'approvals', 'disbursedAmount'], rows: null, cols: null, from: '2026-02-19', to: today, filters: {} });
  });

  it('reads measures as a list or repeated, dimensions, dates and f.<dimension> filters, and writes them back', () => {
    const s = parseSelection({ measures: ['roi', 'channelCost,approvalRate'], rows: 'channel', cols: 'month', from: '2026-01-01', to: '2026-03-01', 'f.region': '上海', filters: { device: 'api' } }, today);
    expect(s).toEqual({ measures: ['roi', 'channelCost', 'approvalRate'], rows: 'channel', cols: 'month', from: '2026-01-01', to: '2026-03-01', filters: { region: '上海', device: 'api' } });
    expect(parseSelection(Object.fromEntries(selectionQuery(s)), today)).toEqual(s);
    // the form's 全部 sends an empty value: no filter
    expect(parseSelection({ 'f.channel': '', 'f.institution': '' }, today).filters).toEqual({});
  });

  it('names the field of every refusal', () => {
    expect(fieldsOf(() => parseSelection({ measures: 'visits,profit' }, today))).toHaveProperty('measures');
    expect(fieldsOf(() => parseSelection({ rows: 'colour' }, today))).toHaveProperty('rows');
    expect(fieldsOf(() => parseSelection({ cols: 'x' }, today))).toHaveProperty('cols');
    expect(fieldsOf(() => parseSelection({ rows: 'week', cols: 'week' }, today))).toHaveProperty('cols');
    expect(fieldsOf(() => parseSelection({ from: '2026-02-30' }, today))).toHaveProperty('from');
    expect(fieldsOf(() => parseSelection({ from: '2026-03-05', to: '2026-03-01' }, today))).toHaveProperty('from');
    expect(fieldsOf(() => parseSelection({ from: '2025-01-01', to: '2026-03-01' }, today))).toHaveProperty('to');
    expect(fieldsOf(() => parseSelection({ 'f.day': '2026-03-01' }, today))).toHaveProperty(['filters.day']);
    expect(fieldsOf(() => parseSelection({ filters: { region: 3 } }, today))).toHaveProperty(['filters.region']);
  });
});

describe('measures', () => {
  it('derives ROI and rates from the sums, with no rate when there is nothing to divide by', () => {
    const s = { ...emptySums(), commissionFen: 10_000, channelCostFen: 12_500, approvals: 1, rejections: 2, activeLoans: 0, overdueLoans: 0 };
    expect(measures.roi.value(s)).toBe(-2_500);
    expect(measures.approvalRate.value(s)).toBeCloseTo(1 / 3, 12);
    expect(measures.overdueRate.value(s)).toBeNull();
    expect(measureText('roi', -2_500)).toBe('¥-25.00');
    expect(measureText('approvalRate', 1 / 3)).toBe('33.33%');
    expect(measureText('applications', 12345)).toBe('12,345');
    expect(measureText('overdueRate', null)).toBe('—');
    expect(rateText(Number.NaN)).toBe('—');
  });

  it('knows where each period of a time dimension ends', () => {
    expect(periodEnd('day', '2026-03-10')).toBe('2026-03-10');
    expect(periodEnd('week', '2026-03-09')).toBe('2026-03-15');
    expect(periodEnd('month', '2026-02-01')).toBe('2026-02-28');
    expect(periodEnd('month', '2024-02-01')).toBe('2024-02-29');
  });
});

describe('the cohort request', () => {
  it('defaults to the 12 weeks up to today and reads a channel', () => {
    expect(cohortRequest({}, today)).toEqual({ from: '2025-12-27', to: today, channel: undefined, byChannel: false });
    expect(cohortRequest({ from: '2026-03-01', channel: 'ch_x', byChannel: '1' }, today)).toEqual({ from: '2026-03-01', to: today, channel: 'ch_x', byChannel: true });
    expect(fieldsOf(() => cohortRequest({ to: 'soon' }, today))).toHaveProperty('to');
  });
});
