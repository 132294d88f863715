import { and, asc, desc, eq, gt, lte } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { Clock } from '../../lib/clock';
import type { EventBus } from '../../lib/events';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
import { promotions, type PromotionKind, type PromotionStatus } from './promotions.schema';

export type Promotion = typeof promotions.$inferSelect;
export type PromotionWithNames = Promotion & { productName: string; institutionName: string };

export const promotionKindLabels: Record<PromotionKind, string> = { recommendation: '推荐位', featured: '精选展示（搜索结果加权）' };
export const promotionStatusLabels: Record<PromotionStatus, string> = { requested: '待审核', approved: '已批准', rejected: '已拒绝', cancelled: '已取消' };

const MAX_DAYS = 90;
const CACHE_MS = 5000;

export interface PromotionsServiceDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  events: EventBus;
}

/** Promotions: requested by institutions, decided by operators (audited), applied only inside their approved period. */
export class PromotionsService {
  private active: { at: number; map: Map<string, Set<PromotionKind>> } | undefined;

  constructor(private readonly deps: PromotionsServiceDeps) {}

  private select() {
    return this.deps.db
      .select({ promotion: promotions, productName: products.name, institutionName: institutions.shortName })
      .from(promotions)
      .innerJoin(products, eq(products.id, promotions.productId))
      .innerJoin(institutions, eq(institutions.id, promotions.institutionId));
  }

  async request(
    institutionId: string,
    input: { productId: string; kind: PromotionKind; startsAt: Date; endsAt: Date; note?: string },
    actor: AuditActor,
  ): Promise<Promotion> {
    const [product] = await this.deps.db.select({ id: products.id }).from(products).where(and(eq(products.id, input.productId), eq(products.institutionId, institutionId)));
    if (!product) throw new ValidationError('推广申请有误', { productId: '请选择本机构的产品' });
    const fields: Record<string, string> = {};
    if (!(input.endsAt > input.startsAt)) fields.endsAt = '结束时间须晚于开始时间';
    else if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_DAYS * 86_400_000) fields.endsAt = `推广期最长 ${MAX_DAYS} 天`;
    if (input.endsAt <= this.deps.clock.now()) fields.endsAt = '结束时间须晚于现在';
    if (Object.keys(fields).length) throw new ValidationError('推广申请有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const [row] = await tx
        .insert(promotions)
        .values({ id: newId('pro'), institutionId, productId: input.productId, kind: input.kind, startsAt: input.startsAt, endsAt: input.endsAt, note: input.note?.trim() ?? '', requestedBy: actor.id ?? null })
        .returning();
      await this.deps.audit.record(actor, { action: 'promotion.requested', objectType: 'promotion', objectId: row!.id, detail: { productId: input.productId, kind: input.kind } }, tx);
      return row!;
    });
  }

  async listForInstitution(institutionId: string): Promise<PromotionWithNames[]> {
    const rows = await this.select().where(eq(promotions.institutionId, institutionId)).orderBy(desc(promotions.createdAt));
    return rows.map((r) => ({ ...r.promotion, productName: r.productName, institutionName: r.institutionName }));
  }

  async listAll(status?: PromotionStatus): Promise<PromotionWithNames[]> {
    const rows = await this.select()
      .where(status ? eq(promotions.status, status) : undefined)
      .orderBy(status === 'requested' ? asc(promotions.createdAt) : desc(promotions.createdAt))
      .limit(500);
    return rows.map((r) => ({ ...r.promotion, productName: r.productName, institutionName: r.institutionName }));
  }

  async decide(id: string, decision: 'approved' | 'rejected', comment: string, actor: AuditActor): Promise<Promotion> {
    if (decision === 'rejected' && !comment.trim()) throw new ValidationError('请填写拒绝原因', { comment: '拒绝时必须填写原因' });
    const row = await withTransaction(this.deps.db, async (tx) => {
      const [current] = await tx.select().from(promotions).where(eq(promotions.id, id)).for('update');
      if (!current) throw new NotFoundError('推广申请');
      if (current.status !== 'requested') throw new ConflictError('promotion_decided', '该申请已处理');
      const [updated] = await tx
        .update(promotions)
        .set({ status: decision, reviewedBy: actor.id ?? null, reviewedAt: this.deps.clock.now(), reviewComment: comment.trim() || null })
        .where(eq(promotions.id, id))
        .returning();
      await this.deps.audit.record(actor, { action: `promotion.${decision}`, objectType: 'promotion', objectId: id, detail: { comment: comment.trim() } }, tx);
      return updated!;
    });
    this.active = undefined;
    // after the commit: the catalogue drops its cached result pages
    await this.deps.events.emit('promotions.changed', {});
    return row;
  }

  async cancel(institutionId: string, id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const rows = await tx
        .update(promotions)
        .set({ status: 'cancelled' })
        .where(and(eq(promotions.id, id), eq(promotions.institutionId, institutionId), eq(promotions.status, 'requested')))
        .returning({ id: promotions.id });
      if (!rows.length) throw new NotFoundError('推广申请');
      await this.deps.audit.record(actor, { action: 'promotion.cancelled', objectType: 'promotion', objectId: id }, tx);
    });
  }

  /** Products with an approved promotion running now, and of which kinds. Read at most every few seconds. */
  async activeNow(): Promise<Map<string, Set<PromotionKind>>> {
    const now = this.deps.clock.now();
    if (this.active && now.getTime() - this.active.at < CACHE_MS) return this.active.map;
    const rows = await this.deps.db
      .select({ productId: promotions.productId, kind: promotions.kind })
      .from(promotions)
      .where(and(eq(promotions.status, 'approved'), lte(promotions.startsAt, now), gt(promotions.endsAt, now)));
    const map = new Map<string, Set<PromotionKind>>();
    for (const r of rows) {
      let kinds = map.get(r.productId);
      if (!kinds) map.set(r.productId, (kinds = new Set()));
      kinds.add(r.kind);
    }
    this.active = { at: now.getTime(), map };
    return map;
  }
}
