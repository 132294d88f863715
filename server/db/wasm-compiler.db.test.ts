import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../lib/project-root';

const run = promisify(execFile);

/*
 * The compiler choice is process-wide (a V8 flag) and test files share their worker process, so
 * each choice runs in a process of its own, as `npm start` does.
 */
async function roundTrip(compiler: 'baseline' | 'optimizing'): Promise<unknown> {
  const script = `
    import { sql } from 'drizzle-orm';
    import { openDatabase, queryRows } from './server/db/client.ts';
    const handle = await openDatabase({ wasmCompiler: ${JSON.stringify(compiler)} });
    await handle.db.execute(sql\`create table probe (n int, label text)\`);
    await handle.db.execute(sql\`insert into probe select g, 'row ' || g from generate_series(1, 2000) g\`);
    const rows = await queryRows(handle.db, sql\`select count(*)::int as count, sum(n)::int as total, max(label) as last from probe where n % 2 = 0\`);
    await handle.close();
    console.log(JSON.stringify(rows[0]));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('PGlite under either WebAssembly compiler', () => {
  it('answers the same with Liftoff only (the default for npm start) as with TurboFan', async () => {
    const expected = { count: 1000, total: 1_001_000, last: 'row 998' };
    expect(await roundTrip('baseline')).toEqual(expected);
    expect(await roundTrip('optimizing')).toEqual(expected);
  }, 120_000);
});
