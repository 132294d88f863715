import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { InstitutionsRepository } from './institutions.repository';
import { sealContact } from './onboarding.service';

const BATCH = 200;

/**
 * Seals the onboarding contacts stored with the name and e-mail in clear (before they were
 * encrypted): every contact of such a request is rewritten in the sealed shape, in batches, each
 * one transaction with its rows locked. Idempotent. Returns how many requests it converted.
 */
export async function sealLegacyContacts(db: Database, pii: PiiCipher): Promise<number> {
  const repository = new InstitutionsRepository(db);
  let converted = 0;
  for (;;) {
    const n = await withTransaction(db, async (tx) => {
      const rows = await repository.legacyContacts(tx, BATCH);
      for (const row of rows) {
        const contacts = row.contacts.map((c) =>
          'name' in c ? sealContact(pii, { name: c.name, title: c.title, phone: pii.decrypt(c.phoneEnc), email: c.email }) : c,
        );
        await repository.updateOnboarding(tx, row.id, { contacts });
      }
      return rows.length;
    });
    converted += n;
    if (n < BATCH) return converted;
  }
}
