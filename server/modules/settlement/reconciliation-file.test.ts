import { describe, expect, it } from 'vitest';
import { matchReport, parseDisbursedAt, parseReportCsv } from './reconciliation-file';

const now = new Date('2026-06-01T00:00:00Z');
const csv = (text: string) => Buffer.from(text, 'utf8');

describe('disbursement report CSV', () => {
  it('reads rows with or without BOM, CRLF, quoted fields and three date forms', () => {
    const text = 'application_id,disbursed_at,amount_yuan\r\napp_1,2026-03-05,"1,000.50"\r\napp_2,2026-03-05 14:30:00,20000\r\napp_3,2026-03-05T06:30:00Z,0.01\r\n';
    for (const bytes of [csv(text), csv('\uFEFF' + text)]) {
      const { rows, problems } = parseReportCsv(bytes, now);
      expect(problems).toEqual([]);
      expect(rows.map((r) => [r.line, r.applicationId, r.amountFen])).toEqual([
        [2, 'app_1', 100_050],
        [3, 'app_2', 2_000_000],
        [4, 'app_3', 1],
      ]);
      expect(rows[0]!.disbursedAt.toISOString()).toBe('2026-03-04T16:00:00.000Z');
      expect(rows[1]!.disbursedAt.toISOString()).toBe('2026-03-05T06:30:00.000Z');
    }
  });

  it('names every bad row by its line number', () => {
    const { rows, problems } = parseReportCsv(
      csv('application_id,disbursed_at,amount_yuan\napp_1,2026-02-30,100\napp 2,2026-03-01,100\napp_3,2026-03-01,-5\napp_4,2026-03-01\napp_1,2026-03-01,12.345\napp_6,2099-01-01,1\n'),
      now,
    );
    expect(rows).toHaveLength(0);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(problems[4]!.message).toContain('第 2 行重复');
    expect(problems[4]!.message).toContain('amount_yuan');
  });

  it('requires the header and UTF-8', () => {
    expect(parseReportCsv(csv('app_1,2026-03-01,100\n'), now).problems).toEqual([{ line: 1, message: expect.stringContaining('表头') }]);
    expect(parseReportCsv(Buffer.from([0x61, 0xff, 0xfe, 0x0a]), now).problems[0]!.message).toContain('UTF-8');
    expect(parseReportCsv(csv('application_id,disbursed_at,amount_yuan\n'), now).problems[0]!.message).toContain('没有数据行');
  });

  it('refuses a time that is not on the clock', () => {
    expect(parseDisbursedAt('2026-03-05 24:00')).toBeNull();
  });

  it('matches: missing on either side and differing amounts', () => {
    const at = new Date();
    const result = matchReport(
      [
        { line: 2, applicationId: 'same', disbursedAt: at, amountFen: 100 },
        { line: 3, applicationId: 'differs', disbursedAt: at, amountFen: 200 },
        { line: 4, applicationId: 'theirs_only', disbursedAt: at, amountFen: 300 },
      ],
      [
        { applicationId: 'same', amountFen: 100, disbursedAt: at },
        { applicationId: 'differs', amountFen: 250, disbursedAt: at },
        { applicationId: 'ours_only', amountFen: 400, disbursedAt: at },
      ],
    );
    expect(result.matched).toBe(1);
    expect(result.differences).toEqual([
      { applicationId: 'differs', kind: 'amount', ourAmountFen: 250, theirAmountFen: 200 },
      { applicationId: 'theirs_only', kind: 'missing_ours', ourAmountFen: null, theirAmountFen: 300 },
      { applicationId: 'ours_only', kind: 'missing_theirs', ourAmountFen: 400, theirAmountFen: null },
    ]);
  });
});
