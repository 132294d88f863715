import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { AccountsRepository } from './accounts.repository';

const BATCH = 500;

/**
 * Seals the display names kept in clear before they were encrypted (accounts and staff
 * invitations): each row's name moves to `display_name_enc` and the clear column is emptied, in
 * batches, each batch one transaction with its rows locked. Idempotent: a second run finds
 * nothing. Returns how many rows it converted.
 */
export async function sealLegacyNames(db: Database, pii: PiiCipher): Promise<number> {
  const repository = new AccountsRepository(db);
  let converted = 0;
  for (const table of ['accounts', 'invitations'] as const) {
    for (;;) {
      const n = await withTransaction(db, async (tx) => {
        const rows = await repository.legacyNames(tx, table, BATCH);
        for (const r of rows) await repository.sealName(tx, table, r.id, pii.encrypt(r.name!));
        return rows.length;
      });
      converted += n;
      if (n < BATCH) break;
    }
  }
  return converted;
}
