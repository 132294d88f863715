import type { Logger } from '../lib/logger';
import type { PiiCipher } from '../lib/pii';
import { sealLegacyNames } from '../modules/accounts';
import { sealLegacyContacts } from '../modules/institutions';
import { reclassifyLegacyOverpayments } from '../modules/settlement';
import type { Database } from './client';

/**
 * Data conversions that SQL migrations cannot do because they need the PII key (or the ledger's
 * rules): run at every start after the migrations (server/container.ts) and by `npm run
 * db:migrate`. Each step is idempotent and converts only rows still in the old form, in locked
 * batches, so a second instance starting at the same time, or a step cut short, is harmless.
 * Each is owned by its module; this list only runs them in order.
 */
const steps: { name: string; run(db: Database, pii: PiiCipher): Promise<number> }[] = [
  { name: 'seal display names', run: sealLegacyNames },
  { name: 'seal onboarding contacts', run: sealLegacyContacts },
  { name: 'reclassify old overpayments', run: (db) => reclassifyLegacyOverpayments(db) },
];

export async function runDataSteps(db: Database, pii: PiiCipher, logger?: Logger): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  for (const step of steps) {
    done[step.name] = await step.run(db, pii);
    if (done[step.name]! > 0) logger?.info({ step: step.name, converted: done[step.name] }, 'data step converted old rows');
  }
  return done;
}
