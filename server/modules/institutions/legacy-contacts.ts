import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { institutionOnboardings, type LegacyOnboardingContact, type OnboardingContact } from './institutions.schema';
import { sealContact } from './onboarding.service';

const BATCH = 200;

/**
 * Seals the onboarding contacts stored with the name and e-mail in clear (before they were
 * encrypted): every contact of such a request is rewritten in the sealed shape, in batches, each
 * one transaction with its rows locked. Idempotent. Returns how many requests it converted.
 */
export async function sealLegacyContacts(db: Database, pii: PiiCipher): Promise<number> {
  const legacy = sql`exists (select 1 from jsonb_array_elements(${institutionOnboardings.contacts}) c where (c ->> 'name') is not null)`;
  let converted = 0;
  for (;;) {
    const n = await withTransaction(db, async (tx) => {
      const rows = await tx.select({ id: institutionOnboardings.id, contacts: institutionOnboardings.contacts }).from(institutionOnboardings).where(legacy).limit(BATCH).for('update');
      for (const row of rows) {
        const contacts = (row.contacts as (OnboardingContact | LegacyOnboardingContact)[]).map((c) =>
          'name' in c ? sealContact(pii, { name: c.name, title: c.title, phone: pii.decrypt(c.phoneEnc), email: c.email }) : c,
        );
        await tx.update(institutionOnboardings).set({ contacts }).where(eq(institutionOnboardings.id, row.id));
      }
      return rows.length;
    });
    converted += n;
    if (n < BATCH) return converted;
  }
}
