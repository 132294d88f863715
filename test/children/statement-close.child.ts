/**
 * Test helper run as a child process (`npx tsx`) by server/modules/settlement/statement-crash.db.test.ts: closes one institution's month on a database
 * given by `--url` or `--dir`, printing `begin` before and `done <id> <ms>` after, so a test can
 * kill it in the middle of the run.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../server/db/client';
import { PiiCipher } from '../../server/lib/pii';
import { AuditService } from '../../server/modules/audit';
import { StatementsService } from '../../server/modules/settlement/statements.service';
import { systemClock } from '../../server/lib/clock';

const [flag, target, institutionId, period] = process.argv.slice(2);
const handle = await openDatabase(flag === '--url' ? { url: target } : { dir: target });
const statements = new StatementsService({ db: handle.db, audit: new AuditService({ db: handle.db, pii: new PiiCipher([{ id: 'child', key: randomBytes(32) }]) }), clock: systemClock });
const started = Date.now();
process.stdout.write('begin\n');
const result = await statements.closeFor(institutionId!, period!, new Date('2026-04-01T00:00:00Z'));
process.stdout.write(`done ${'statementId' in result ? result.statementId : 'empty'} ${Date.now() - started}\n`);
await handle.close();
