import { describe, expect, it } from 'vitest';
import { validateSchedule } from './allocation';
import { parseScheduleText, scheduleProblemsByLine, scheduleText } from './schedule-text';

describe('an institution schedule as text', () => {
  it('reads comma-separated lines in yuan, with a header and blank lines', () => {
    const { lines, problems } = parseScheduleText('到期日,本金,利息,费用\n2026-04-01,5000,100.5,0\n\n2026-05-01,5000.00,50.05\n');
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { line: 2, dueDate: '2026-04-01', principalFen: 500_000, interestFen: 10_050, feeFen: 0 },
      { line: 4, dueDate: '2026-05-01', principalFen: 500_000, interestFen: 5_005, feeFen: 0 },
    ]);
  });

  it('reads rows pasted from a spreadsheet: tabs, thousands separators, ¥ and 2026/4/1 dates', () => {
    const { lines, problems } = parseScheduleText('2026/4/1\t¥8,884.88\t1,000.00\t12.30\r\n2026年5月1日\t1,115.12\t0\t0');
    expect(problems).toEqual([]);
    expect(lines.map((l) => [l.dueDate, l.principalFen, l.interestFen, l.feeFen])).toEqual([
      ['2026-04-01', 888_488, 100_000, 1_230],
      ['2026-05-01', 111_512, 0, 0],
    ]);
  });

  it('names every bad line and what is wrong with it', () => {
    const { problems } = parseScheduleText('2026-04-01,5000,100\n2026-02-30,5000,1\n2026-06-01,-5,1\n2026-07-01,1.234,1,0,9\n2026-08-01,"5');
    expect(problems).toEqual([
      { line: 2, message: expect.stringContaining('2026-02-30') },
      { line: 3, message: expect.stringContaining('本金「-5」') },
      { line: 4, message: expect.stringContaining('3 或 4 列') },
      { line: 5, message: expect.stringContaining('3 或 4 列') },
    ]);
    expect(parseScheduleText('  \n').problems).toEqual([{ line: 1, message: expect.stringContaining('每行填写一期') }]);
  });

  it('writes a schedule back as text that reads the same', () => {
    const instalments = [
      { dueDate: '2026-04-01', principalFen: 888_488, interestFen: 100_000, feeFen: 5 },
      { dueDate: '2026-05-01', principalFen: 111_512, interestFen: 0, feeFen: 0 },
    ];
    const text = scheduleText(instalments);
    expect(text.split('\n')[1]).toBe('2026-04-01,8884.88,1000.00,0.05');
    expect(parseScheduleText(text).lines.map(({ line: _line, ...rest }) => rest)).toEqual(instalments);
  });

  it("tells the checker's reasons by text line", () => {
    const parsed = parseScheduleText('到期日,本金,利息\n2026-04-01,6000,0\n2026-03-01,5000,0').lines;
    const errors = validateSchedule(parsed.map((l, i) => ({ ...l, period: i + 1 })), 1_000_000, '2026-03-10');
    expect(scheduleProblemsByLine(errors, parsed)).toEqual([{ line: 3, message: '到期日：还款日须逐期递增' }]);
    const sum = validateSchedule([{ ...parsed[0]!, period: 1 }], 1_000_000, '2026-03-10');
    expect(scheduleProblemsByLine(sum, parsed)).toEqual([{ line: 0, message: expect.stringContaining('须等于贷款本金 ¥10,000.00') }]);
  });
});
