import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { printReport, runScaleOut, type ScaleOutReport } from '../../scripts/scale-out/run';

/**
 * The scale-out scenario of `npm run scale-out` in a shorter form (20 s of load): PostgreSQL
 * through pgbouncer, a redis-server of its own, two web instances and a worker behind haproxy, all
 * on free ports with a database of its own, so it runs beside the rest of the suite. web1 is
 * SIGKILLed a quarter into the load and started again; the clients retry with the same
 * Idempotency-Key, for up to 75 s (a dead instance's in-flight claim holds its key for 60 s).
 * It needs a PostgreSQL server: without TEST_DATABASE_URL it skips, never otherwise (a missing
 * pgbouncer or haproxy fails it: `npm run setup:scale-out` installs them).
 */
const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('two web instances and a worker behind haproxy, PostgreSQL through pgbouncer', () => {
  let report: ScaleOutReport;
  const check = (prefix: string) => {
    const found = report.checks.find((c) => c.name.startsWith(prefix));
    if (!found) throw new Error(`no check "${prefix}" in the report: ${report.checks.map((c) => c.name).join('; ')}`);
    return found;
  };

  beforeAll(async () => {
    const lines: string[] = [];
    report = await runScaleOut({
      serverUrl: serverUrl!,
      database: `dc_scaleout_${randomBytes(4).toString('hex')}`,
      durationS: 20,
      rate: 4,
      killAt: 0.25,
      retryForS: 75,
      catchUpTimeoutS: 90,
      institutions: 10,
      log: (line) => lines.push(line),
    });
    printReport(report, (line) => lines.push(line));
    // the figures of the run, in the test's output
    console.log(lines.join('\n'));
  }, 290_000);

  it('keeps every instance running, the killed one started again', () => {
    expect(report.checks.find((c) => c.name === 'the killed instance started again')).toBeUndefined();
    expect(check('every instance still running')).toMatchObject({ pass: true });
  });

  it('keeps sessions across the kill: one session answered by both web instances, no 401', () => {
    expect(check('sessions survive')).toMatchObject({ pass: true });
  });

  it('stores every acknowledged application exactly once, with its consent and one posted CPL accrual', () => {
    expect(check('every acknowledged application')).toMatchObject({ pass: true });
    expect(Number(String(report.figures['acknowledged applications/s']))).toBeGreaterThan(0);
  });

  it('runs no job twice, and only on the worker', () => {
    expect(check('no job ran twice')).toMatchObject({ pass: true });
  });

  it("brings the other instance's search up to date with an operator's product change", () => {
    expect(check('search index of the other instance')).toMatchObject({ pass: true });
  });
});
