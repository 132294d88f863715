import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction } from '../../lib/tx';
import { products } from '../catalogue/catalogue.schema';
import { consents } from '../consents/consents.schema';
import { releasableFields, type ReleasableField } from '../consents';
import { contracts } from '../contracts/contracts.schema';
import { renderTemplate, type ContractsService } from '../contracts';
import { institutions } from '../institutions/institutions.schema';
import { applications } from './applications.schema';

/** How many letters one tick renders (each is a PDF of ~20 ms); a full batch runs the next tick at once. */
export const LETTERS_PER_TICK = 20;

export interface AuthorizationLettersDeps {
  db: Database;
  contracts: ContractsService;
  pii: PiiCipher;
}

const fieldWords = (fields: readonly string[]) => fields.map((f) => releasableFields[f as ReleasableField] ?? f).join('、');

/**
 * The 个人信息授权书: what a borrower agrees to on the consent screen, as a signed document.
 *
 * The consent row is the act (written in the submission's transaction with the IP, device and
 * door it came from); the letter is that act rendered from the platform's 授权书 template, stored
 * encrypted and chained like every contract, with the moment of consent as its signing time. The
 * rendering runs after the commit (the `authorization-letters` ticker), so a PDF never slows an
 * application down; until it has run, the borrower's 授权书 shows as 生成中.
 */
export class AuthorizationLetters {
  constructor(private readonly deps: AuthorizationLettersDeps) {}

  /**
   * The letters as the borrower reads them before agreeing, one per institution's consent card,
   * from the 授权书 template in force (read once for the whole screen).
   */
  async previews(cards: { institutionName: string; productNames: string[]; fields: readonly string[] }[], at: Date, borrowerName = '本人') {
    const template = await this.deps.contracts.currentTemplate('authorization');
    return cards.map((c) => ({
      title: template.title,
      version: template.version,
      text: renderTemplate(template.body, {
        borrowerName,
        institutionName: c.institutionName,
        productName: c.productNames.join('」「'),
        fields: fieldWords(c.fields),
        date: shanghaiDate(at),
      }),
    }));
  }

  /**
   * Renders and signs the letters of consents that have none yet, oldest first; returns how many.
   * Each consent is claimed with SKIP LOCKED, and a contract per (kind, subject) is unique, so two
   * workers never sign one consent twice.
   */
  async signPending(limit = LETTERS_PER_TICK): Promise<number> {
    let signed = 0;
    for (let i = 0; i < limit; i++) {
      const done = await withTransaction(this.deps.db, async (tx) => {
        const [row] = await tx
          .select({
            consent: consents,
            applicantNameEnc: applications.applicantNameEnc,
            productName: products.name,
            institutionName: institutions.name,
          })
          .from(consents)
          .innerJoin(applications, eq(applications.id, consents.applicationId))
          .innerJoin(products, eq(products.id, applications.productId))
          .innerJoin(institutions, eq(institutions.id, consents.institutionId))
          .leftJoin(contracts, and(eq(contracts.kind, 'authorization'), eq(contracts.subjectId, consents.id)))
          .where(isNull(contracts.id))
          .orderBy(asc(consents.grantedAt), asc(consents.id))
          .limit(1)
          .for('update', { of: consents, skipLocked: true });
        if (!row) return false;
        const { consent } = row;
        await this.deps.contracts.sign(
          {
            kind: 'authorization',
            institutionId: consent.institutionId,
            consumerId: consent.consumerId,
            signerAccountId: consent.consumerId,
            subjectId: consent.id,
            smsConfirmed: false,
            agreedAt: consent.grantedAt,
            origin: {
              // the signature is the borrower's; the audit row says the system rendered it
              actor: { kind: 'system', id: 'authorization-letters', ip: consent.ip },
              device: consent.deviceHash,
              visitor: '',
              door: consent.door === 'api' ? 'api' : 'web',
            },
            variables: {
              borrowerName: this.deps.pii.decrypt(row.applicantNameEnc),
              institutionName: row.institutionName,
              productName: row.productName,
              fields: fieldWords(consent.fields),
              date: shanghaiDate(consent.grantedAt),
            },
          },
          tx,
        );
        return true;
      });
      if (!done) break;
      signed++;
    }
    return signed;
  }

  /** Consents still waiting for their letter (for the ticker's record and operators). */
  async pendingCount(): Promise<number> {
    const [row] = await this.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(consents)
      .innerJoin(applications, eq(applications.id, consents.applicationId))
      .leftJoin(contracts, and(eq(contracts.kind, 'authorization'), eq(contracts.subjectId, consents.id)))
      .where(isNull(contracts.id));
    return Number(row?.n ?? 0);
  }
}
