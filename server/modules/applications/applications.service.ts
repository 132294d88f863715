import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatWan, type Fen } from '../../lib/money';
import { maskName, type PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import type { SessionAccount } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { NotificationsService } from '../notifications';
import { products } from '../catalogue/catalogue.schema';
import type { CatalogueService } from '../catalogue';
import { institutions } from '../institutions/institutions.schema';
import type { PostedCommission, SettlementService } from '../settlement';
import { applicationEvents, applications, type ApplicationStatus } from './applications.schema';
import { canTransition, nextStatuses, rejectReasons, statusLabels, type RejectReason } from './status-machine';

export type ApplicationRow = typeof applications.$inferSelect;
export type ApplicationEvent = typeof applicationEvents.$inferSelect;

export interface NewApplication {
  productId: string;
  amountFen: Fen;
  termMonths: number;
  purpose: string;
  applicantName: string;
  city: string;
}

export type StatusChange =
  | { status: 'reviewing'; note?: string }
  | { status: 'approved'; offeredAmountFen: Fen; offeredTermMonths: number; offeredApr: string; note?: string }
  | { status: 'rejected'; reason: RejectReason; note?: string }
  | { status: 'disbursed'; amountFen: Fen; note?: string }
  | { status: 'withdrawn'; note?: string };

/** An application as its consumer, its institution or an operator sees it: PII masked. */
export interface ApplicationView {
  id: string;
  status: ApplicationStatus;
  statusLabel: string;
  productId: string;
  productName: string;
  institutionId: string;
  institutionName: string;
  amountFen: Fen;
  termMonths: number;
  purpose: string;
  applicantNameMasked: string;
  applicantCity: string;
  offeredAmountFen: Fen | null;
  offeredTermMonths: number | null;
  offeredApr: string | null;
  rejectReason: string | null;
  rejectReasonLabel: string | null;
  disbursedAmountFen: Fen | null;
  disbursedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationDetail extends ApplicationView {
  events: (ApplicationEvent & { toLabel: string })[];
}

export class ApplicationsService {
  constructor(
    private readonly db: Database,
    private readonly pii: PiiCipher,
    private readonly catalogue: CatalogueService,
    private readonly settlement: SettlementService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  async create(consumer: SessionAccount, input: NewApplication, actor: AuditActor): Promise<ApplicationDetail> {
    let product;
    try {
      product = this.catalogue.getListed(input.productId);
    } catch {
      throw new ValidationError('所选产品不存在或已下架', { productId: '产品不存在或已下架' });
    }
    const fields: Record<string, string> = {};
    if (input.amountFen < product.minAmountFen || input.amountFen > product.maxAmountFen) {
      fields.amount = `借款金额需在 ${formatWan(product.minAmountFen)} 至 ${formatWan(product.maxAmountFen)} 之间`;
    }
    if (!product.termOptions.includes(input.termMonths)) {
      fields.termMonths = `可选期限：${product.termOptions.join('、')} 个月`;
    }
    if (Object.keys(fields).length) throw new ValidationError('申请信息不符合产品要求', fields);

    const id = newId('app');
    await withTransaction(this.db, async (tx) => {
      await tx.insert(applications).values({
        id,
        consumerId: consumer.id,
        productId: product.id,
        institutionId: product.institutionId,
        amountFen: input.amountFen,
        termMonths: input.termMonths,
        purpose: input.purpose,
        applicantNameEnc: this.pii.encrypt(input.applicantName),
        applicantCity: input.city,
      });
      await tx.insert(applicationEvents).values({
        applicationId: id,
        fromStatus: null,
        toStatus: 'submitted',
        actorKind: 'consumer',
        actorId: consumer.id,
        note: '申请已提交',
      });
      await this.audit.record(
        actor,
        { action: 'application.created', objectType: 'application', objectId: id, detail: { productId: product.id } },
        tx,
      );
    });
    return this.detail(eq(applications.id, id));
  }

  private baseSelect(db: Database = this.db) {
    return db
      .select({ app: applications, productName: products.name, institutionName: institutions.shortName })
      .from(applications)
      .innerJoin(products, eq(products.id, applications.productId))
      .innerJoin(institutions, eq(institutions.id, applications.institutionId));
  }

  private toView(row: { app: ApplicationRow; productName: string; institutionName: string }): ApplicationView {
    const a = row.app;
    return {
      id: a.id,
      status: a.status,
      statusLabel: statusLabels[a.status],
      productId: a.productId,
      productName: row.productName,
      institutionId: a.institutionId,
      institutionName: row.institutionName,
      amountFen: a.amountFen,
      termMonths: a.termMonths,
      purpose: a.purpose,
      applicantNameMasked: maskName(this.pii.decrypt(a.applicantNameEnc)),
      applicantCity: a.applicantCity,
      offeredAmountFen: a.offeredAmountFen,
      offeredTermMonths: a.offeredTermMonths,
      offeredApr: a.offeredApr,
      rejectReason: a.rejectReason,
      rejectReasonLabel: a.rejectReason ? (rejectReasons[a.rejectReason as RejectReason] ?? a.rejectReason) : null,
      disbursedAmountFen: a.disbursedAmountFen,
      disbursedAt: a.disbursedAt,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  private async detail(where: SQL | undefined, db: Database = this.db): Promise<ApplicationDetail> {
    const [row] = await this.baseSelect(db).where(where);
    if (!row) throw new NotFoundError('申请');
    const events = await db
      .select()
      .from(applicationEvents)
      .where(eq(applicationEvents.applicationId, row.app.id))
      .orderBy(asc(applicationEvents.id));
    return {
      ...this.toView(row),
      events: events.map((e) => ({ ...e, toLabel: statusLabels[e.toStatus as ApplicationStatus] ?? e.toStatus })),
    };
  }

  /** A consumer's own application; anyone else's is "not found". */
  getForConsumer(consumerId: string, id: string): Promise<ApplicationDetail> {
    return this.detail(and(eq(applications.id, id), eq(applications.consumerId, consumerId)));
  }

  async listForConsumer(consumerId: string): Promise<ApplicationView[]> {
    const rows = await this.baseSelect().where(eq(applications.consumerId, consumerId)).orderBy(desc(applications.createdAt));
    return rows.map((r) => this.toView(r));
  }

  /** An institution's leads: only applications made to its own products. */
  async listLeads(institutionId: string, filter: { status?: ApplicationStatus } = {}): Promise<ApplicationView[]> {
    const rows = await this.baseSelect()
      .where(
        and(
          eq(applications.institutionId, institutionId),
          filter.status ? eq(applications.status, filter.status) : undefined,
        ),
      )
      .orderBy(desc(applications.createdAt))
      .limit(500);
    return rows.map((r) => this.toView(r));
  }

  /** One lead of the institution's own; reading it is audited. */
  async getLead(institutionId: string, id: string, actor: AuditActor): Promise<ApplicationDetail & { nextStatuses: ApplicationStatus[] }> {
    const lead = await this.detail(and(eq(applications.id, id), eq(applications.institutionId, institutionId)));
    await this.audit.record(actor, { action: 'lead.viewed', objectType: 'application', objectId: id });
    return { ...lead, nextStatuses: nextStatuses(lead.status, 'institution') };
  }

  async listAll(filter: { status?: ApplicationStatus; institutionId?: string; limit?: number } = {}): Promise<ApplicationView[]> {
    const rows = await this.baseSelect()
      .where(
        and(
          filter.status ? eq(applications.status, filter.status) : undefined,
          filter.institutionId ? eq(applications.institutionId, filter.institutionId) : undefined,
        ),
      )
      .orderBy(desc(applications.createdAt))
      .limit(filter.limit ?? 200);
    return rows.map((r) => this.toView(r));
  }

  async getForOperator(id: string, actor: AuditActor): Promise<ApplicationDetail> {
    const detail = await this.detail(eq(applications.id, id));
    await this.audit.record(actor, { action: 'application.viewed', objectType: 'application', objectId: id });
    return detail;
  }

  /**
   * Moves an institution's lead to a new status. The row is locked for the transaction, the
   * transition is checked against the status machine, and any commission it earns is posted in
   * the same transaction, so a repeated or concurrent call can never post twice.
   */
  async changeStatusByInstitution(
    institutionId: string,
    id: string,
    change: StatusChange,
    actor: AuditActor,
  ): Promise<{ application: ApplicationDetail; commission: PostedCommission | null }> {
    return withTransaction(this.db, async (tx) => {
      const [current] = await tx
        .select()
        .from(applications)
        .where(and(eq(applications.id, id), eq(applications.institutionId, institutionId)))
        .for('update');
      if (!current) throw new NotFoundError('线索');
      return this.applyChange(tx, current, change, 'institution', actor);
    });
  }

  /** The consumer withdraws their own application. */
  async withdraw(consumerId: string, id: string, actor: AuditActor): Promise<ApplicationDetail> {
    return withTransaction(this.db, async (tx) => {
      const [current] = await tx
        .select()
        .from(applications)
        .where(and(eq(applications.id, id), eq(applications.consumerId, consumerId)))
        .for('update');
      if (!current) throw new NotFoundError('申请');
      const { application } = await this.applyChange(tx, current, { status: 'withdrawn', note: '用户撤回' }, 'consumer', actor);
      return application;
    });
  }

  private async applyChange(
    tx: Database,
    current: ApplicationRow,
    change: StatusChange,
    actorKind: 'consumer' | 'institution',
    actor: AuditActor,
  ): Promise<{ application: ApplicationDetail; commission: PostedCommission | null }> {
    if (!canTransition(current.status, change.status, actorKind)) {
      throw new ConflictError(
        'illegal_transition',
        `申请当前状态为「${statusLabels[current.status]}」，不能变更为「${statusLabels[change.status]}」`,
        { status: `不允许从 ${current.status} 变更为 ${change.status}` },
      );
    }
    const now = new Date();
    const update: Partial<typeof applications.$inferInsert> = { status: change.status, updatedAt: now };
    const data: Record<string, unknown> = {};
    if (change.status === 'approved') {
      Object.assign(update, {
        offeredAmountFen: change.offeredAmountFen,
        offeredTermMonths: change.offeredTermMonths,
        offeredApr: change.offeredApr,
      });
      Object.assign(data, { offeredAmountFen: change.offeredAmountFen, offeredTermMonths: change.offeredTermMonths, offeredApr: change.offeredApr });
    } else if (change.status === 'rejected') {
      update.rejectReason = change.reason;
      data.reason = change.reason;
    } else if (change.status === 'disbursed') {
      const ceiling = current.offeredAmountFen ?? current.amountFen;
      if (change.amountFen > ceiling) {
        throw new ValidationError('放款金额超过批准金额', { amount: `放款金额不能超过批准金额 ${ceiling / 100} 元` });
      }
      Object.assign(update, { disbursedAmountFen: change.amountFen, disbursedAt: now });
      data.amountFen = change.amountFen;
    }
    await tx.update(applications).set(update).where(eq(applications.id, current.id));
    await tx.insert(applicationEvents).values({
      applicationId: current.id,
      fromStatus: current.status,
      toStatus: change.status,
      actorKind,
      actorId: actor.id ?? null,
      note: change.note ?? '',
      data,
    });
    if (actorKind !== 'consumer') {
      const [product] = await tx.select({ name: products.name }).from(products).where(eq(products.id, current.productId));
      await this.notifications.notify(
        current.consumerId,
        {
          kind: `application.${change.status}`,
          title: `${product?.name ?? '申请'}：${statusLabels[change.status]}`,
          body: statusMessage(change),
          link: `/applications/${current.id}`,
        },
        tx,
      );
    }
    let commission: PostedCommission | null = null;
    if (change.status === 'approved') {
      commission = await this.settlement.accrueCommission(tx, {
        type: 'approved',
        applicationId: current.id,
        institutionId: current.institutionId,
        at: now,
      });
    } else if (change.status === 'disbursed') {
      commission = await this.settlement.accrueCommission(tx, {
        type: 'disbursed',
        applicationId: current.id,
        institutionId: current.institutionId,
        disbursedAmountFen: change.amountFen,
        at: now,
      });
    }
    await this.audit.record(
      actor,
      {
        action: 'application.status_changed',
        objectType: 'application',
        objectId: current.id,
        detail: { from: current.status, to: change.status, commissionJournalId: commission?.journalId ?? null },
      },
      tx,
    );
    return { application: await this.detail(eq(applications.id, current.id), tx), commission };
  }

  async countsByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .select({ status: applications.status, n: sql<number>`count(*)::int` })
      .from(applications)
      .groupBy(applications.status);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

/** What the consumer is told when their application moves. */
function statusMessage(change: StatusChange): string {
  switch (change.status) {
    case 'reviewing':
      return '机构已开始审核你的申请，请保持电话畅通。';
    case 'approved':
      return `已批准 ${(change.offeredAmountFen / 100).toFixed(2)} 元，${change.offeredTermMonths} 个月，综合年化 ${(Number(change.offeredApr) * 100).toFixed(2)}%。`;
    case 'rejected':
      return `很遗憾，申请未通过：${rejectReasons[change.reason]}。`;
    case 'disbursed':
      return `${(change.amountFen / 100).toFixed(2)} 元已放款，请留意到账并按时还款。`;
    default:
      return '申请状态已更新。';
  }
}
