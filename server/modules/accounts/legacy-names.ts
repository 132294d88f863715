import { eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { accounts, staffInvitations } from './accounts.schema';

const BATCH = 500;

/**
 * Seals the display names kept in clear before they were encrypted (accounts and staff
 * invitations): each row's name moves to `display_name_enc` and the clear column is emptied, in
 * batches, each batch one transaction with its rows locked. Idempotent: a second run finds
 * nothing. Returns how many rows it converted.
 */
export async function sealLegacyNames(db: Database, pii: PiiCipher): Promise<number> {
  let converted = 0;
  for (const table of [accounts, staffInvitations]) {
    for (;;) {
      const n = await withTransaction(db, async (tx) => {
        const rows = await tx
          .select({ id: table.id, name: table.legacyDisplayName })
          .from(table)
          .where(isNotNull(table.legacyDisplayName))
          .limit(BATCH)
          .for('update');
        for (const r of rows) {
          await tx.update(table).set({ displayNameEnc: pii.encrypt(r.name!), legacyDisplayName: null }).where(eq(table.id, r.id));
        }
        return rows.length;
      });
      converted += n;
      if (n < BATCH) break;
    }
  }
  return converted;
}
