import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditEntry, AuditService } from '../audit';
import { toProductView, type CatalogueService, type ProductRow, type ProductStatus, type ProductView } from '../catalogue';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
import { APR_LABEL_THRESHOLD, productAprRange, type RepaymentMethod } from '../pricing';
import type { SettingsService } from '../settings';
import { automaticChecksPass, reviewChecklist, type ChecklistItem } from './checklist';
import { normalizeParams, paramsOf, type ProductParams } from './product-params';
import { productStatusChanges, productVersions, type VersionStatus } from './products.schema';
import { diffVersions, type DiffRow } from './version-diff';
import type { Clock } from '../../lib/clock';

export type ProductVersion = typeof productVersions.$inferSelect;
export type StatusChange = typeof productStatusChanges.$inferSelect;
type Actor = AuditActor & { kind: 'institution' | 'operator' | 'system' };

export const productStatusLabels: Record<ProductStatus, string> = { draft: '草稿', in_review: '审核中', listed: '已上架', paused: '已暂停', delisted: '已下架' };
export const versionStatusLabels: Record<VersionStatus, string> = { draft: '草稿', submitted: '待审核', approved: '已通过', returned: '已退回', superseded: '已被取代' };

export interface ReviewDetail {
  version: ProductVersion;
  product: ProductView;
  /** the version as consumers would see it */
  proposed: ProductView;
  approved: ProductVersion | null;
  diff: DiffRow[];
  checklist: ChecklistItem[];
  canApprove: boolean;
}

export interface ProductsServiceDeps {
  clock: Clock;
  db: Database;
  catalogue: CatalogueService;
  settings: SettingsService;
  audit: AuditService;
}

/**
 * Product listings as institutions and reviewers work them: versions with full snapshots,
 * submission, review against a checklist, approval onto the catalogue, pause and delist.
 * The catalogue module keeps owning the `products` row and its search index.
 */
export class ProductsService {
  constructor(private readonly deps: ProductsServiceDeps) {}

  /** All-in APR of a snapshot; bad combinations become field errors, not 500s. */
  aprOf(p: ProductParams): { min: number; max: number } {
    try {
      return productAprRange({ ...p, repaymentMethods: p.repaymentMethods as RepaymentMethod[] });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const fields: Record<string, string> = {};
      if (/upfront/.test(err.message)) fields.upfrontFeeRate = '一次性服务费不能吞掉全部本金';
      else if (/amount/.test(err.message)) fields.maxAmount = '额度范围不成立';
      else if (/rate/.test(err.message)) fields.rateMax = '利率范围不成立（0–100%，最高不低于最低）';
      else fields.termOptions = '期限或还款方式无效';
      throw new ValidationError('产品信息不符合要求', fields);
    }
  }

  private async validate(p: ProductParams): Promise<{ min: number; max: number }> {
    const fields: Record<string, string> = {};
    const categories = await this.deps.settings.get('catalogue.categories');
    if (!categories.includes(p.category)) fields.category = '请选择平台提供的类别';
    if (p.maxAmountFen < p.minAmountFen) fields.maxAmount = '最高额度不能低于最低额度';
    if (Number(p.rateMax) < Number(p.rateMin)) fields.rateMax = '最高利率不能低于最低利率';
    if (p.eligibility.maxAge < p.eligibility.minAge) fields.maxAge = '最高年龄不能低于最低年龄';
    if (Object.keys(fields).length) throw new ValidationError('产品信息不符合要求', fields);
    return this.aprOf(p);
  }

  /** A product of this institution, or 404 (someone else's product does not exist for them). */
  async ownProduct(institutionId: string, productId: string): Promise<ProductView> {
    const product = await this.deps.catalogue.get(productId).catch(() => undefined);
    if (!product || product.institutionId !== institutionId) throw new NotFoundError('产品');
    return product;
  }

  versions(productId: string): Promise<ProductVersion[]> {
    return this.deps.db.select().from(productVersions).where(eq(productVersions.productId, productId)).orderBy(desc(productVersions.version));
  }

  async latestVersion(productId: string): Promise<ProductVersion | undefined> {
    return (await this.versions(productId))[0];
  }

  statusHistory(productId: string): Promise<StatusChange[]> {
    return this.deps.db.select().from(productStatusChanges).where(eq(productStatusChanges.productId, productId)).orderBy(desc(productStatusChanges.id));
  }

  /** The institution's products with the state of their newest version. */
  async listForInstitution(institutionId: string) {
    const list = await this.deps.catalogue.listForInstitution(institutionId);
    const ids = list.map((p) => p.id);
    const latest = ids.length
      ? await this.deps.db
          .selectDistinctOn([productVersions.productId])
          .from(productVersions)
          .where(inArray(productVersions.productId, ids))
          .orderBy(productVersions.productId, desc(productVersions.version))
      : [];
    const byProduct = new Map(latest.map((v) => [v.productId, v]));
    return list.map((product) => ({ product, latest: byProduct.get(product.id) }));
  }

  async createDraft(institutionId: string, input: ProductParams, actor: Actor): Promise<{ product: ProductRow; version: ProductVersion }> {
    const params = normalizeParams(input);
    const apr = await this.validate(params);
    // the catalogue owns the products row and writes it on its own; nobody but the institution sees a draft
    const product = await this.deps.catalogue.create({ ...params, institutionId, status: 'draft' });
    const version = await withTransaction(this.deps.db, async (tx) => {
      const created = await this.insertVersion(tx, product.id, 1, params, apr, actor);
      await this.deps.audit.record(actor, { action: 'product.draft_created', objectType: 'product', objectId: product.id, detail: { version: 1 } }, tx);
      return created;
    });
    return { product, version };
  }

  private async insertVersion(
    tx: Tx,
    productId: string,
    version: number,
    params: ProductParams,
    apr: { min: number; max: number },
    actor: Actor,
    status: VersionStatus = 'draft',
  ): Promise<ProductVersion> {
    const [row] = await tx
      .insert(productVersions)
      .values({ id: newId('pvr'), productId, version, params, status, aprMin: apr.min.toFixed(6), aprMax: apr.max.toFixed(6), createdBy: actor.id ?? null })
      .returning();
    return row!;
  }

  /**
   * An edit: always a new version. Earlier unsubmitted drafts are superseded; a listed product
   * keeps serving its approved version until this one is approved. A product never approved
   * follows its newest draft (nobody but the institution sees it).
   */
  async saveDraft(institutionId: string, productId: string, input: ProductParams, actor: Actor): Promise<ProductVersion> {
    const product = await this.ownProduct(institutionId, productId);
    const versions = await this.versions(productId);
    if (versions.some((v) => v.status === 'submitted')) throw new ConflictError('version_in_review', '有版本正在审核中，审核结束前不能修改');
    const params = normalizeParams(input);
    const apr = await this.validate(params);
    const version = await withTransaction(this.deps.db, async (tx) => {
      if (versions.length === 0 && product.status !== 'draft') {
        // a product listed before versions existed: its current parameters are the approved baseline
        versions.unshift(await this.insertVersion(tx, productId, 1, paramsOf(product), product.apr, actor, 'approved'));
      }
      const next = (versions[0]?.version ?? 0) + 1;
      await tx
        .update(productVersions)
        .set({ status: 'superseded' })
        .where(and(eq(productVersions.productId, productId), eq(productVersions.status, 'draft')));
      const saved = await this.insertVersion(tx, productId, next, params, apr, actor);
      await this.deps.audit.record(actor, { action: 'product.version_saved', objectType: 'product', objectId: product.id, detail: { version: next } }, tx);
      return saved;
    });
    // after the commit: nobody but the institution sees a draft product, it follows its newest version
    if (product.status === 'draft') await this.deps.catalogue.update(productId, params);
    return version;
  }

  async submit(institutionId: string, productId: string, actor: Actor): Promise<ProductVersion> {
    const product = await this.ownProduct(institutionId, productId);
    const latest = await this.latestVersion(productId);
    if (!latest || latest.status !== 'draft') {
      throw new ConflictError('nothing_to_submit', latest?.status === 'submitted' ? '该产品已在审核中' : '没有可提交的草稿：请先修改产品生成新版本');
    }
    const checklist = await this.checklistFor(latest.params, product.institutionKind);
    const toReview = product.status === 'draft' || product.status === 'delisted';
    const row = await withTransaction(this.deps.db, async (tx) => {
      const [submitted] = await tx
        .update(productVersions)
        .set({ status: 'submitted', submittedBy: actor.id ?? null, submittedAt: this.deps.clock.now(), checklist })
        .where(and(eq(productVersions.id, latest.id), eq(productVersions.status, 'draft')))
        .returning();
      if (!submitted) throw new ConflictError('nothing_to_submit', '该版本已提交');
      if (toReview) await this.recordStatus(tx, productId, product.status, 'in_review', null, actor);
      await this.deps.audit.record(actor, { action: 'product.submitted', objectType: 'product', objectId: productId, detail: { version: submitted.version } }, tx);
      return submitted;
    });
    if (toReview) await this.deps.catalogue.setStatus(productId, 'in_review');
    return row;
  }

  async checklistFor(params: ProductParams, institutionKind: string): Promise<ChecklistItem[]> {
    let apr: { min: number; max: number } | null = null;
    try {
      apr = this.aprOf(params);
    } catch {
      apr = null;
    }
    return reviewChecklist(params, {
      apr,
      listingCap: await this.deps.settings.get('rates.listingCap'),
      labelAbove: APR_LABEL_THRESHOLD,
      displayedLabelAbove: APR_LABEL_THRESHOLD,
      institutionKind,
      categories: await this.deps.settings.get('catalogue.categories'),
    });
  }

  /** Submitted versions, oldest first, with their product and institution. */
  reviewQueue() {
    return this.deps.db
      .select({ version: productVersions, productName: products.name, productStatus: products.status, institutionName: institutions.shortName, institutionKind: institutions.kind })
      .from(productVersions)
      .innerJoin(products, eq(products.id, productVersions.productId))
      .innerJoin(institutions, eq(institutions.id, products.institutionId))
      .where(eq(productVersions.status, 'submitted'))
      .orderBy(asc(productVersions.submittedAt), asc(productVersions.id));
  }

  async getVersion(versionId: string): Promise<ProductVersion> {
    const [row] = await this.deps.db.select().from(productVersions).where(eq(productVersions.id, versionId));
    if (!row) throw new NotFoundError('产品版本');
    return row;
  }

  /** A snapshot shown as consumers would see it, with its own APR. */
  viewOf(product: ProductView, params: ProductParams, updatedAt = this.deps.clock.now()): ProductView {
    const apr = this.aprOf(params);
    const row: ProductRow = { ...product, ...params, aprMin: apr.min.toFixed(6), aprMax: apr.max.toFixed(6), updatedAt };
    return toProductView({ product: row, institutionName: product.institutionName, institutionFullName: product.institutionFullName, institutionKind: product.institutionKind });
  }

  /** An operator opens a version for review: the view is recorded. */
  async reviewDetailAsOperator(actor: AuditActor, versionId: string): Promise<ReviewDetail> {
    const detail = await this.reviewDetail(versionId);
    await this.deps.audit.recordNow(actor, { action: 'product.review_viewed', objectType: 'product_version', objectId: detail.version.id });
    return detail;
  }

  async reviewDetail(versionId: string): Promise<ReviewDetail> {
    const version = await this.getVersion(versionId);
    const product = await this.deps.catalogue.get(version.productId);
    const approved = (await this.versions(product.id)).find((v) => v.status === 'approved') ?? null;
    const checklist = await this.checklistFor(version.params, product.institutionKind);
    return {
      version,
      product,
      proposed: this.viewOf(product, version.params, version.createdAt),
      approved,
      diff: diffVersions(approved?.params ?? null, version.params),
      checklist,
      canApprove: version.status === 'submitted' && automaticChecksPass(checklist),
    };
  }

  /** Approves a submitted version: only when every automatic check passes; applied to the catalogue (and its index). */
  async approve(versionId: string, comment: string, actor: Actor): Promise<ProductVersion> {
    const detail = await this.reviewDetail(versionId);
    if (detail.version.status !== 'submitted') throw new ConflictError('not_submitted', '该版本不在待审核状态');
    if (!automaticChecksPass(detail.checklist)) {
      const failed = detail.checklist.filter((i) => i.automatic && !i.passed);
      throw new ValidationError(`自动检查未通过，不能批准：${failed.map((i) => i.label).join('；')}`, Object.fromEntries(failed.map((i) => [i.key, i.detail])));
    }
    const product = detail.product;
    const status: ProductStatus = product.status === 'paused' ? 'paused' : 'listed';
    const row = await withTransaction(this.deps.db, async (tx) => {
      const [approved] = await tx
        .update(productVersions)
        .set({ status: 'approved', reviewedBy: actor.id ?? null, reviewedAt: this.deps.clock.now(), reviewComment: comment.trim() || null, checklist: detail.checklist })
        .where(and(eq(productVersions.id, versionId), eq(productVersions.status, 'submitted')))
        .returning();
      if (!approved) throw new ConflictError('not_submitted', '该版本不在待审核状态');
      if (detail.approved) await tx.update(productVersions).set({ status: 'superseded' }).where(eq(productVersions.id, detail.approved.id));
      if (product.status !== status) await this.recordStatus(tx, product.id, product.status, status, comment.trim() || null, actor);
      await this.deps.audit.record(actor, { action: 'product.approved', objectType: 'product', objectId: product.id, detail: { version: approved.version, comment: comment.trim() } }, tx);
      return approved;
    });
    // after the commit: the catalogue (and its index) serves the approved version
    await this.deps.catalogue.update(product.id, { ...row.params, status });
    return row;
  }

  async returnVersion(versionId: string, comment: string, actor: Actor): Promise<ProductVersion> {
    if (!comment.trim()) throw new ValidationError('退回时必须填写审核意见', { comment: '请写明需要修改的地方' });
    const version = await this.getVersion(versionId);
    const product = await this.deps.catalogue.get(version.productId);
    const checklist = await this.checklistFor(version.params, product.institutionKind);
    const backToDraft = product.status === 'in_review';
    const row = await withTransaction(this.deps.db, async (tx) => {
      const [returned] = await tx
        .update(productVersions)
        .set({ status: 'returned', reviewedBy: actor.id ?? null, reviewedAt: this.deps.clock.now(), reviewComment: comment.trim(), checklist })
        .where(and(eq(productVersions.id, versionId), eq(productVersions.status, 'submitted')))
        .returning();
      if (!returned) throw new ConflictError('not_submitted', '该版本不在待审核状态');
      if (backToDraft) await this.recordStatus(tx, product.id, product.status, 'draft', comment.trim(), actor);
      await this.deps.audit.record(actor, { action: 'product.returned', objectType: 'product', objectId: product.id, detail: { version: returned.version, comment: comment.trim() } }, tx);
      return returned;
    });
    if (backToDraft) await this.deps.catalogue.setStatus(product.id, 'draft');
    return row;
  }

  private async recordStatus(db: Database, productId: string, from: string, to: string, reason: string | null, actor: Actor): Promise<void> {
    await db.insert(productStatusChanges).values({ productId, fromStatus: from, toStatus: to, reason, actorKind: actor.kind, actorId: actor.id ?? null });
  }

  /**
   * A status change with its history row and, when `audit` is given, its audit record in one
   * transaction; the catalogue (which writes on its own and keeps the index) follows the commit.
   */
  private async changeStatus(product: ProductView, to: ProductStatus, reason: string | null, actor: Actor, audit?: AuditEntry): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      await this.recordStatus(tx, product.id, product.status, to, reason, actor);
      if (audit) await this.deps.audit.record(actor, audit, tx);
    });
    await this.deps.catalogue.setStatus(product.id, to);
  }

  /** Pauses a listed product, by its institution or by an operator; the reason is kept and shown to the institution. */
  async pause(productId: string, reason: string, actor: Actor, institutionId?: string): Promise<void> {
    const product = institutionId ? await this.ownProduct(institutionId, productId) : await this.deps.catalogue.get(productId);
    if (!reason.trim()) throw new ValidationError('请填写暂停原因', { reason: '暂停时必须填写原因' });
    if (product.status !== 'listed') throw new ConflictError('not_listed', '只有已上架的产品可以暂停');
    await this.changeStatus(product, 'paused', reason.trim().slice(0, 500), actor, { action: 'product.paused', objectType: 'product', objectId: productId, detail: { reason: reason.trim() } });
  }

  /** Pauses every listed product of an institution whose licence lapsed; returns their ids. */
  async pauseAllListed(institutionId: string, reason: string): Promise<string[]> {
    const listed = (await this.deps.catalogue.listForInstitution(institutionId)).filter((p) => p.status === 'listed');
    for (const product of listed) await this.changeStatus(product, 'paused', reason, { kind: 'system', id: 'licence-check' });
    return listed.map((p) => p.id);
  }

  /** Resumes a paused product; a pause by an operator can only be lifted by an operator, and nothing resumes while the licence has lapsed. */
  async resume(productId: string, actor: Actor, institutionId?: string): Promise<void> {
    const product = institutionId ? await this.ownProduct(institutionId, productId) : await this.deps.catalogue.get(productId);
    if (product.status !== 'paused') throw new ConflictError('not_paused', '只有已暂停的产品可以恢复');
    const [owner] = await this.deps.db.select({ lapsed: institutions.licenceLapsedAt }).from(institutions).where(eq(institutions.id, product.institutionId));
    if (owner?.lapsed) throw new ConflictError('licence_lapsed', '机构牌照已到期，更新牌照后才能恢复产品');
    const [lastPause] = (await this.statusHistory(productId)).filter((c) => c.toStatus === 'paused');
    if (actor.kind === 'institution' && lastPause?.actorKind === 'operator') throw new ForbiddenError('该产品由平台暂停，请联系平台运营恢复');
    await this.changeStatus(product, 'listed', null, actor, { action: 'product.resumed', objectType: 'product', objectId: productId });
  }

  async delist(institutionId: string, productId: string, reason: string, actor: Actor): Promise<void> {
    const product = await this.ownProduct(institutionId, productId);
    if (product.status !== 'listed' && product.status !== 'paused') throw new ConflictError('not_listed', '只有已上架或已暂停的产品可以下架');
    await this.changeStatus(product, 'delisted', reason.trim().slice(0, 500) || null, actor, { action: 'product.delisted', objectType: 'product', objectId: productId, detail: { reason: reason.trim() } });
  }

  /** Every product, for operators, with filters. */
  async listAll(filter: { status?: ProductStatus; institutionId?: string; q?: string } = {}) {
    const where: SQL[] = [];
    if (filter.status) where.push(eq(products.status, filter.status));
    if (filter.institutionId) where.push(eq(products.institutionId, filter.institutionId));
    if (filter.q) where.push(or(ilike(products.name, `%${filter.q}%`), ilike(institutions.shortName, `%${filter.q}%`))!);
    return this.deps.db
      .select({
        id: products.id,
        name: products.name,
        category: products.category,
        status: products.status,
        aprMin: products.aprMin,
        aprMax: products.aprMax,
        updatedAt: products.updatedAt,
        institutionId: products.institutionId,
        institutionName: institutions.shortName,
        pending: sql<number>`(select count(*)::int from ${productVersions} v where v.product_id = ${products.id} and v.status = 'submitted')`,
      })
      .from(products)
      .innerJoin(institutions, eq(institutions.id, products.institutionId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(institutions.shortName), asc(products.name))
      .limit(500);
  }

  paramsOf = paramsOf;
}
