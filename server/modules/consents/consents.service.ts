import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { txOf, withTransaction, write, type WriteBatch } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { institutions } from '../institutions/institutions.schema';
import { consents, dataReleases } from './consents.schema';
import type { Clock } from '../../lib/clock';

/** The fields a consumer can agree to send, with the words shown on the consent screen. */
export const releasableFields = {
  realName: '真实姓名',
  phone: '手机号',
  idNumber: '身份证号',
  age: '年龄',
  city: '所在城市',
  employment: '职业',
  monthlyIncome: '月收入',
  housing: '住房情况',
  monthlyDebt: '每月其他负债还款',
  creditSelfAssessment: '信用自评',
  loanRequest: '借款金额、期限与用途',
  documents: '你为该申请上传的材料（证件照片、收入证明）',
} as const;
export type ReleasableField = keyof typeof releasableFields;

/** What every lender needs to decide on a loan application. */
export const standardApplicationFields: ReleasableField[] = [
  'realName',
  'phone',
  'idNumber',
  'age',
  'city',
  'employment',
  'monthlyIncome',
  'housing',
  'monthlyDebt',
  'creditSelfAssessment',
  'loanRequest',
  'documents',
];

export class ConsentWithdrawnError extends ForbiddenError {
  constructor() {
    super('用户已撤回对该机构的数据授权，无法再获取其信息', 'consent_withdrawn');
  }
}

export type ConsentRow = typeof consents.$inferSelect;
export type ReleaseRow = typeof dataReleases.$inferSelect;

export interface ConsentsServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
}

/** Consents and the record of every release made under them. */
export class ConsentsService {
  constructor(private readonly deps: ConsentsServiceDeps) {}

  /**
   * The consents given with a submission, one per application, and the release of each one's data
   * that the submission makes at once (channel `submission`): two multi-row inserts in the
   * submission's transaction. Answers the consent ids, in the order of `grants`.
   */
  async grantWithSubmission(
    tx: Database | WriteBatch,
    grants: { consumerId: string; institutionId: string; applicationId: string; purpose: string; fields: ReleasableField[] }[],
    where: { ip: string; deviceHash: string; door: 'web' | 'api' },
    actorId: string,
  ): Promise<string[]> {
    if (grants.length === 0) return [];
    const rows = grants.map((g) => ({ id: newId('cns'), ...g, ...where }));
    // the consents and their releases in one statement
    const db = txOf(tx);
    await write(tx, [
      db.insert(consents).values(rows),
      db.insert(dataReleases).values(
        rows.map((c) => ({ consentId: c.id, consumerId: c.consumerId, institutionId: c.institutionId, applicationId: c.applicationId, fields: c.fields, channel: 'submission' as const, actorId })),
      ),
    ]);
    return rows.map((c) => c.id);
  }

  /** Records that data left under a consent; refuses when the consent has been withdrawn. */
  async release(
    tx: Database,
    input: { consentId: string; channel: ReleaseRow['channel']; actorId?: string | null; fields?: ReleasableField[] },
  ): Promise<ConsentRow> {
    const [consent] = await tx.select().from(consents).where(eq(consents.id, input.consentId));
    if (!consent) throw new NotFoundError('授权');
    if (consent.withdrawnAt) throw new ConsentWithdrawnError();
    await tx.insert(dataReleases).values({
      consentId: consent.id,
      consumerId: consent.consumerId,
      institutionId: consent.institutionId,
      applicationId: consent.applicationId,
      fields: input.fields ?? consent.fields,
      channel: input.channel,
      actorId: input.actorId ?? null,
    });
    return consent;
  }

  async get(id: string): Promise<ConsentRow | undefined> {
    const [row] = await this.deps.db.select().from(consents).where(eq(consents.id, id));
    return row;
  }

  async forApplications(ids: string[]): Promise<Map<string, ConsentRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.deps.db.select().from(consents).where(inArray(consents.applicationId, ids));
    return new Map(rows.map((r) => [r.applicationId!, r]));
  }

  /** The consumer withdraws a consent: the institution can see nothing more from then on. */
  async withdraw(consumerId: string, consentId: string, actor: AuditActor): Promise<ConsentRow> {
    const row = await withTransaction(this.deps.db, async (tx) => {
      const [updated] = await tx
        .update(consents)
        .set({ withdrawnAt: this.deps.clock.now() })
        .where(and(eq(consents.id, consentId), eq(consents.consumerId, consumerId), isNull(consents.withdrawnAt)))
        .returning();
      if (updated) await this.deps.audit.record(actor, { action: 'consent.withdrawn', objectType: 'consent', objectId: consentId, detail: { institutionId: updated.institutionId } }, tx);
      return updated;
    });
    if (!row) {
      const existing = await this.get(consentId);
      if (!existing || existing.consumerId !== consumerId) throw new NotFoundError('授权');
      return existing; // already withdrawn
    }
    return row;
  }

  /** "Who has my data": every consent of the consumer with the releases made under it. */
  async forConsumer(consumerId: string) {
    const rows = await this.deps.db
      .select({ consent: consents, institutionName: institutions.shortName })
      .from(consents)
      .innerJoin(institutions, eq(institutions.id, consents.institutionId))
      .where(eq(consents.consumerId, consumerId))
      .orderBy(desc(consents.grantedAt));
    const releases = rows.length
      ? await this.deps.db
          .select()
          .from(dataReleases)
          .where(eq(dataReleases.consumerId, consumerId))
          .orderBy(desc(dataReleases.releasedAt))
      : [];
    return rows.map((r) => ({
      ...r.consent,
      institutionName: r.institutionName,
      fieldLabels: r.consent.fields.map((f) => releasableFields[f as ReleasableField] ?? f),
      releases: releases
        .filter((x) => x.consentId === r.consent.id)
        .map((x) => ({ ...x, fieldLabels: x.fields.map((f) => releasableFields[f as ReleasableField] ?? f) })),
    }));
  }

  /** Withdraws every active consent of a consumer (account closing), in the caller's transaction. */
  async withdrawAll(tx: Database, consumerId: string): Promise<number> {
    const rows = await tx
      .update(consents)
      .set({ withdrawnAt: this.deps.clock.now() })
      .where(and(eq(consents.consumerId, consumerId), isNull(consents.withdrawnAt)))
      .returning({ id: consents.id });
    return rows.length;
  }
}
