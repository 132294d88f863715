import { describe, expect, it } from 'vitest';
import { allJobs } from './registry';
import type { Services } from '../container';
import { describeCron } from './cron-text';

describe('describeCron', () => {
  it.each([
    ['30 0 * * *', '每天 00:30'],
    ['5 0 * * *', '每天 00:05'],
    ['0 9,18 * * *', '每天 09:00、18:00'],
    ['*/10 * * * *', '每 10 分钟'],
    ['*/30 * * * *', '每 30 分钟'],
    ['15 * * * *', '每小时第 15 分'],
    ['0 * * * *', '每小时整点'],
    ['0 */6 * * *', '每 6 小时（第 0 分）'],
    ['0 2 1 * *', '每月 1 日 02:00'],
    ['0 9 * * 1', '每周一 09:00'],
    ['0 9 * * 0,6', '每周日、六 09:00'],
    ['0 9 * * 1-5', '每周一、二、三、四、五 09:00'],
    ['* * * * *', '每分钟'],
  ])('%s → %s', (cron, text) => {
    expect(describeCron(cron)).toBe(text);
  });

  it('gives null for what it cannot say (the page then shows the expression)', () => {
    for (const cron of ['0 0 1 1 *', '60 * * * *', 'bad', '0 2 1 * 1', '1,2 3 * * *']) expect(describeCron(cron)).toBeNull();
  });

  it('describes the schedule of every registered job', () => {
    const jobs = allJobs(new Proxy({}, { get: () => ({}) }) as unknown as Services);
    expect(jobs.length).toBeGreaterThan(5);
    for (const job of jobs) expect(describeCron(job.schedule), `${job.name} (${job.schedule})`).not.toBeNull();
  });
});
