import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { verifyFailureLabels, type VerifyResult } from '../server/modules/contracts';

/**
 * Verifies signed contracts: each stored PDF against its SHA-256, each evidence row against its
 * chain hash, and each link against the previous row. `npm run verify-contracts` checks all;
 * `npm run verify-contracts -- <contract id> …` checks those. Prints one line per failure and
 * exits 1 when anything failed, 0 when all is intact.
 */
const ids = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const container = await createContainer({ ...loadConfig(), seedDemo: false });
const line = (r: VerifyResult) => `${r.ok ? 'OK  ' : 'FAIL'} ${r.contractId}${r.ok ? '' : `  ${r.failures.map((f) => `${f} (${verifyFailureLabels[f]})`).join('; ')}`}\n`;
let ok = true;
try {
  if (ids.length > 0) {
    for (const id of ids) {
      const r = await container.services.contracts.verify(id).catch(() => ({ contractId: id, ok: false, failures: ['evidence_missing' as const] }));
      if (!r.ok) ok = false;
      process.stdout.write(line(r));
    }
  } else {
    const all = await container.services.contracts.verifyAll({ kind: 'system', id: null });
    for (const r of all.failed) process.stdout.write(line(r));
    for (const id of all.orphanEvidence) process.stdout.write(`FAIL ${id}  contract row missing (证据存在但合同记录被删除)\n`);
    ok = all.ok;
    process.stdout.write(`${all.checked} contracts checked, ${all.failed.length + all.orphanEvidence.length} failed\n`);
  }
} finally {
  await container.close();
}
process.exit(ok ? 0 : 1);
