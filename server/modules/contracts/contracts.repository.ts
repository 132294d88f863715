import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { institutions } from '../institutions/institutions.schema';
import { agreementAcceptances, contractEvidence, contractTemplates, contracts } from './contracts.schema';
import type { AgreementKind, ContractKind, ContractRow, ContractTemplate, EvidenceRow } from './contracts.types';

export type TemplateInsert = typeof contractTemplates.$inferInsert;
export type ContractInsert = typeof contracts.$inferInsert;
export type EvidenceInsert = typeof contractEvidence.$inferInsert;

/** SQL for contract templates, signed contracts, their evidence chain and agreement acceptances. */
export class ContractsRepository {
  constructor(private readonly db: Database) {}

  // ── templates ─────────────────────────────────────────────────────────────
  async insertTemplateIfAbsent(row: TemplateInsert, db: Database = this.db): Promise<void> {
    await db.insert(contractTemplates).values(row).onConflictDoNothing();
  }

  async insertTemplate(tx: Tx, row: TemplateInsert): Promise<ContractTemplate> {
    const [created] = await tx.insert(contractTemplates).values(row).returning();
    return created!;
  }

  async templateById(id: string, db: Database = this.db): Promise<ContractTemplate | undefined> {
    const [row] = await db.select().from(contractTemplates).where(eq(contractTemplates.id, id));
    return row;
  }

  /** The approved version in force for a kind and scope (the newest approved). */
  async approvedTemplate(kind: ContractKind, scope: string, db: Database = this.db): Promise<ContractTemplate | undefined> {
    const [row] = await db
      .select()
      .from(contractTemplates)
      .where(and(eq(contractTemplates.kind, kind), eq(contractTemplates.scope, scope), eq(contractTemplates.status, 'approved')))
      .orderBy(desc(contractTemplates.version))
      .limit(1);
    return row;
  }

  /** Serialises new versions of one kind and scope for the rest of the transaction, and returns the next version number. */
  async nextVersion(tx: Tx, kind: ContractKind, scope: string): Promise<number> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`contract-template:${kind}:${scope}`}))`);
    const [row] = await tx
      .select({ max: sql`coalesce(max(${contractTemplates.version}), 0)`.mapWith(Number) })
      .from(contractTemplates)
      .where(and(eq(contractTemplates.kind, kind), eq(contractTemplates.scope, scope)));
    return (row?.max ?? 0) + 1;
  }

  /** Every other approved version of the kind and scope becomes retired. */
  async retireOthers(tx: Tx, kind: ContractKind, scope: string, keepId: string): Promise<void> {
    await tx
      .update(contractTemplates)
      .set({ status: 'retired' })
      .where(and(eq(contractTemplates.kind, kind), eq(contractTemplates.scope, scope), eq(contractTemplates.status, 'approved'), sql`${contractTemplates.id} <> ${keepId}`));
  }

  async setTemplateReview(tx: Tx, id: string, patch: Partial<Pick<ContractTemplate, 'status' | 'reviewNote' | 'reviewedBy' | 'approvedAt'>>): Promise<void> {
    await tx.update(contractTemplates).set(patch).where(eq(contractTemplates.id, id));
  }

  /** Templates with the institution's short name, newest first; optionally of one scope or status. */
  listTemplates(filter: { scope?: string; status?: ContractTemplate['status'] } = {}): Promise<(ContractTemplate & { institutionName: string | null })[]> {
    const where = and(filter.scope ? eq(contractTemplates.scope, filter.scope) : undefined, filter.status ? eq(contractTemplates.status, filter.status) : undefined);
    return this.db
      .select({ t: contractTemplates, institutionName: institutions.shortName })
      .from(contractTemplates)
      .leftJoin(institutions, eq(institutions.id, contractTemplates.institutionId))
      .where(where)
      .orderBy(asc(contractTemplates.kind), asc(contractTemplates.scope), desc(contractTemplates.version))
      .then((rows) => rows.map((r) => ({ ...r.t, institutionName: r.institutionName })));
  }

  async institutionName(institutionId: string, db: Database = this.db): Promise<{ name: string; shortName: string } | undefined> {
    const [row] = await db.select({ name: institutions.name, shortName: institutions.shortName }).from(institutions).where(eq(institutions.id, institutionId));
    return row;
  }

  // ── contracts and evidence ────────────────────────────────────────────────
  /** One signature at a time appends to the chain, for the rest of the transaction; returns the last link. */
  async lockChainHead(tx: Tx): Promise<EvidenceRow | undefined> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('contracts:evidence-chain'))`);
    const [row] = await tx.select().from(contractEvidence).orderBy(desc(contractEvidence.seq)).limit(1);
    return row;
  }

  async insertContract(tx: Tx, row: ContractInsert): Promise<ContractRow> {
    const [created] = await tx.insert(contracts).values(row).returning();
    return created!;
  }

  async insertEvidence(tx: Tx, row: EvidenceInsert): Promise<EvidenceRow> {
    const [created] = await tx.insert(contractEvidence).values(row).returning();
    return created!;
  }

  async contractById(id: string): Promise<ContractRow | undefined> {
    const [row] = await this.db.select().from(contracts).where(eq(contracts.id, id));
    return row;
  }

  async evidenceOf(contractId: string): Promise<EvidenceRow | undefined> {
    const [row] = await this.db.select().from(contractEvidence).where(eq(contractEvidence.contractId, contractId));
    return row;
  }

  /** The link just before `seq` in the chain. */
  async evidenceBefore(seq: number): Promise<EvidenceRow | undefined> {
    const [row] = await this.db.select().from(contractEvidence).where(lt(contractEvidence.seq, seq)).orderBy(desc(contractEvidence.seq)).limit(1);
    return row;
  }

  allEvidence(): Promise<EvidenceRow[]> {
    return this.db.select().from(contractEvidence).orderBy(asc(contractEvidence.seq));
  }

  allContracts(): Promise<ContractRow[]> {
    return this.db.select().from(contracts);
  }

  contractsWhere(filter: { consumerId?: string; institutionId?: string }): Promise<(ContractRow & { institutionName: string | null })[]> {
    const where = and(
      filter.consumerId ? eq(contracts.consumerId, filter.consumerId) : undefined,
      filter.institutionId ? eq(contracts.institutionId, filter.institutionId) : undefined,
    );
    return this.db
      .select({ c: contracts, institutionName: institutions.shortName })
      .from(contracts)
      .leftJoin(institutions, eq(institutions.id, contracts.institutionId))
      .where(where)
      .orderBy(desc(contracts.signedAt))
      .then((rows) => rows.map((r) => ({ ...r.c, institutionName: r.institutionName })));
  }

  recentContracts(limit: number): Promise<(ContractRow & { institutionName: string | null })[]> {
    return this.db
      .select({ c: contracts, institutionName: institutions.shortName })
      .from(contracts)
      .leftJoin(institutions, eq(institutions.id, contracts.institutionId))
      .orderBy(desc(contracts.signedAt))
      .limit(limit)
      .then((rows) => rows.map((r) => ({ ...r.c, institutionName: r.institutionName })));
  }

  async contractBySubject(kind: ContractKind, subjectId: string): Promise<ContractRow | undefined> {
    const [row] = await this.db.select().from(contracts).where(and(eq(contracts.kind, kind), eq(contracts.subjectId, subjectId)));
    return row;
  }

  // ── agreement acceptances ─────────────────────────────────────────────────
  async acceptedVersions(accountId: string, kinds: AgreementKind[]): Promise<{ kind: AgreementKind; version: number }[]> {
    return this.db
      .select({ kind: agreementAcceptances.kind, version: agreementAcceptances.version })
      .from(agreementAcceptances)
      .where(and(eq(agreementAcceptances.accountId, accountId), inArray(agreementAcceptances.kind, kinds)));
  }

  async insertAcceptance(tx: Tx, row: typeof agreementAcceptances.$inferInsert): Promise<void> {
    await tx.insert(agreementAcceptances).values(row).onConflictDoNothing();
  }
}
