import { sha256Hex } from '../../lib/digest';
import type { SealedBlobStore } from '../../adapters/storage';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import { openDisplayName } from '../accounts';
import { operatorsHolding } from './handlers';
import type { AuditActor, AuditService } from '../audit';
import { checkedFileType } from '../documents';
import type { NotificationsService } from '../notifications';
import { ComplaintsRepository } from './complaints.repository';
import { FeedbackRepository, type FeedbackQueueFilter, type FeedbackRow, type FeedbackWithAssignee } from './feedback.repository';
import type { FeedbackCategory, FeedbackStatus } from './feedback.schema';
import { ERASED_TEXT } from './erased';

export const feedbackCategoryLabels: Record<FeedbackCategory, string> = {
  suggestion: '功能建议',
  bug: '问题报错',
  experience: '体验与界面',
  content: '产品与信息有误',
  other: '其他',
};

export const feedbackStatusLabels: Record<FeedbackStatus, string> = {
  open: '待处理',
  in_progress: '处理中',
  answered: '已答复',
  closed: '已关闭',
};

/** Screenshots: pictures only, judged by their bytes. */
export const screenshotTypes = { 'image/jpeg': 'jpg', 'image/png': 'png' } as const;
/** How many feedback items one borrower may send in 24 hours. */
export const FEEDBACK_PER_DAY = 10;
/** At most this many tags on an item, each at most TAG_MAX characters. */
export const MAX_TAGS = 8;
export const TAG_MAX = 20;

export interface FeedbackInput {
  category: FeedbackCategory;
  body: string;
  pagePath?: string;
}

export interface FeedbackView {
  id: string;
  category: FeedbackCategory;
  categoryLabel: string;
  body: string;
  pagePath: string | null;
  status: FeedbackStatus;
  statusLabel: string;
  tags: string[];
  answer: string | null;
  answeredAt: Date | null;
  closedAt: Date | null;
  screenshot: { mime: string; size: number } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OperatorFeedbackView extends FeedbackView {
  consumerId: string;
  assigneeId: string | null;
  assigneeName: string | null;
}

export type FeedbackFilter = FeedbackQueueFilter;

export interface FeedbackServiceDeps {
  db: Database;
  clock: Clock;
  store: SealedBlobStore;
  audit: AuditService;
  notifications: NotificationsService;
  /** opens the operators' names (assignees) */
  pii: PiiCipher;
}

/** Tags as operators type them: trimmed, lower-case, no duplicates, at most MAX_TAGS of at most TAG_MAX characters. */
export function normaliseTags(raw: readonly string[]): string[] {
  const tags = [...new Set(raw.flatMap((t) => t.split(/[,，\s]+/)).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (tags.length > MAX_TAGS) throw new ValidationError('标签过多', { tags: `最多 ${MAX_TAGS} 个标签` });
  const long = tags.find((t) => t.length > TAG_MAX);
  if (long) throw new ValidationError('标签过长', { tags: `每个标签最多 ${TAG_MAX} 个字：「${long.slice(0, TAG_MAX)}…」` });
  return tags;
}

/**
 * 意见反馈: a signed-in borrower sends a suggestion or a problem with an optional screenshot
 * (checked like documents: type by content, ≤ 5 MB, sealed at rest); operators holding
 * `feedback.handle` triage it (tags, assignee), answer it (the borrower is notified) and close
 * it. A borrower reads only their own items; every screenshot opening and every operator's
 * reading and change is audited.
 */
export class FeedbackService {
  private readonly items: FeedbackRepository;
  private readonly operators: ComplaintsRepository;

  constructor(private readonly deps: FeedbackServiceDeps) {
    this.items = new FeedbackRepository(deps.db);
    this.operators = new ComplaintsRepository(deps.db);
  }

  private static view(f: FeedbackRow): FeedbackView {
    return {
      id: f.id,
      category: f.category,
      categoryLabel: feedbackCategoryLabels[f.category],
      body: f.body,
      pagePath: f.pagePath,
      status: f.status,
      statusLabel: feedbackStatusLabels[f.status],
      tags: f.tags,
      answer: f.answer,
      answeredAt: f.answeredAt,
      closedAt: f.closedAt,
      screenshot: f.screenshotMime && f.screenshotSize !== null ? { mime: f.screenshotMime, size: f.screenshotSize } : null,
      createdAt: f.createdAt,
      updatedAt: f.updatedAt,
    };
  }

  private operatorView(row: FeedbackWithAssignee): OperatorFeedbackView {
    return {
      ...FeedbackService.view(row.f),
      consumerId: row.f.consumerId,
      assigneeId: row.f.assigneeId,
      assigneeName: row.assigneeNameEnc ? openDisplayName(this.deps.pii, row.assigneeNameEnc) : null,
    };
  }

  private static found<T>(row: T | undefined): T {
    if (!row) throw new NotFoundError('反馈');
    return row;
  }

  // ── the borrower ───────────────────────────────────────────────────────────────────────

  /** Sends feedback; the screenshot, when given, is checked and sealed before the row commits. */
  async submit(consumerId: string, input: FeedbackInput, screenshot: Buffer | undefined, actor: AuditActor): Promise<FeedbackView> {
    const now = this.deps.clock.now();
    const mime = screenshot ? await checkedFileType(screenshot, screenshotTypes, 'JPG 或 PNG 图片') : null;
    const recent = (await this.items.listForConsumer(consumerId)).filter((f) => f.createdAt.getTime() > now.getTime() - 86_400_000).length;
    if (recent >= FEEDBACK_PER_DAY) throw new RateLimitedError(`每天最多提交 ${FEEDBACK_PER_DAY} 条反馈，请明天再试`);
    const id = newId('fbk');
    const screenshotKey = screenshot ? newId('blob') : null;
    if (screenshot && screenshotKey) await this.deps.store.put(screenshotKey, screenshot);
    await withTransaction(this.deps.db, async (tx) => {
      await this.items.insert(tx, {
        id,
        consumerId,
        category: input.category,
        body: input.body,
        pagePath: input.pagePath ?? null,
        screenshotKey,
        screenshotMime: mime,
        screenshotSize: screenshot ? screenshot.length : null,
        screenshotSha256: screenshot ? sha256Hex(screenshot) : null,
        createdAt: now,
        updatedAt: now,
      });
      await this.deps.audit.record(actor, { action: 'feedback.submitted', objectType: 'feedback', objectId: id, detail: { category: input.category, screenshot: mime } }, tx);
    });
    return this.getForConsumer(consumerId, id);
  }

  async listForConsumer(consumerId: string): Promise<FeedbackView[]> {
    return (await this.items.listForConsumer(consumerId)).map((f) => FeedbackService.view(f));
  }

  /** The borrower's own item; anyone else's is "not found". */
  async getForConsumer(consumerId: string, id: string): Promise<FeedbackView> {
    return FeedbackService.view(FeedbackService.found(await this.items.findForConsumer(consumerId, id)).f);
  }

  private async screenshotOf(row: FeedbackRow, actor: AuditActor): Promise<{ mime: string; bytes: Buffer }> {
    if (!row.screenshotKey || !row.screenshotMime) throw new NotFoundError('截图');
    await this.deps.audit.recordNow(actor, { action: 'feedback.screenshot_opened', objectType: 'feedback', objectId: row.id });
    return { mime: row.screenshotMime, bytes: await this.deps.store.get(row.screenshotKey) };
  }

  /** The borrower opens the screenshot of their own item (audited). */
  async screenshotForConsumer(consumerId: string, id: string, actor: AuditActor): Promise<{ mime: string; bytes: Buffer }> {
    return this.screenshotOf(FeedbackService.found(await this.items.findForConsumer(consumerId, id)).f, actor);
  }

  // ── operators ──────────────────────────────────────────────────────────────────────────

  /** The triage list, newest first. */
  async queue(filter: FeedbackFilter = {}, limit = 200): Promise<OperatorFeedbackView[]> {
    return (await this.items.queue(filter, limit)).map((r) => this.operatorView(r));
  }

  /** One item for an operator; the reading is audited (the text may carry personal data). */
  async getForOperator(id: string, actor: AuditActor): Promise<OperatorFeedbackView> {
    const row = FeedbackService.found(await this.items.find(id));
    await this.deps.audit.recordNow(actor, { action: 'feedback.viewed', objectType: 'feedback', objectId: id });
    return this.operatorView(row);
  }

  /** The item as it stands after the caller's own change (that change is audited; this read adds nothing new). */
  async afterChange(id: string): Promise<OperatorFeedbackView> {
    return this.operatorView(FeedbackService.found(await this.items.find(id)));
  }

  async screenshotForOperator(id: string, actor: AuditActor): Promise<{ mime: string; bytes: Buffer }> {
    return this.screenshotOf(FeedbackService.found(await this.items.find(id)).f, actor);
  }

  /** Operators who may be assigned feedback (hold `feedback.handle`). */
  handlers(): Promise<{ id: string; displayName: string }[]> {
    return operatorsHolding(this.operators, this.deps.pii, 'feedback.handle');
  }

  /** Runs an operator's change on an open item under its row lock; a closed item refuses every change. */
  private async change(id: string, work: (row: FeedbackRow, tx: Tx, now: Date) => Promise<void>): Promise<void> {
    const now = this.deps.clock.now();
    await withTransaction(this.deps.db, async (tx) => {
      const row = FeedbackService.found(await this.items.lock(tx, id));
      if (row.status === 'closed') throw new ConflictError('feedback_closed', '反馈已关闭，不能再修改');
      await work(row, tx, now);
    });
  }

  /** Replaces the item's tags. */
  async tag(id: string, rawTags: readonly string[], actor: AuditActor): Promise<void> {
    const tags = normaliseTags(rawTags);
    await this.change(id, async (row, tx, now) => {
      await this.items.update(tx, id, { tags, updatedAt: now });
      await this.deps.audit.record(actor, { action: 'feedback.tagged', objectType: 'feedback', objectId: id, detail: { from: row.tags, to: tags } }, tx);
    });
  }

  /** Gives the item to an operator holding `feedback.handle`; an open item moves to 处理中. */
  async assign(id: string, assigneeId: string, actor: AuditActor): Promise<void> {
    const handler = (await this.handlers()).find((h) => h.id === assigneeId);
    if (!handler) throw new ValidationError('指派对象无效', { assigneeId: '请选择有反馈处理权限的运营人员' });
    await this.change(id, async (row, tx, now) => {
      await this.items.update(tx, id, { assigneeId, status: row.status === 'open' ? 'in_progress' : row.status, updatedAt: now });
      await this.deps.audit.record(actor, { action: 'feedback.assigned', objectType: 'feedback', objectId: id, detail: { from: row.assigneeId, to: assigneeId } }, tx);
    });
  }

  /** Answers the borrower (a later answer replaces the earlier one); they are notified in-app. */
  async answer(id: string, text: string, actor: AuditActor): Promise<void> {
    const answer = text.trim();
    if (answer.length < 2) throw new ValidationError('请填写答复', { answer: '答复至少 2 个字' });
    if (answer.length > 2000) throw new ValidationError('答复过长', { answer: '最多 2000 字' });
    await this.change(id, async (row, tx, now) => {
      await this.items.update(tx, id, { answer, answeredBy: actor.id ?? null, answeredAt: now, status: 'answered', updatedAt: now });
      await this.deps.audit.record(actor, { action: 'feedback.answered', objectType: 'feedback', objectId: id, detail: { from: row.status } }, tx);
      await this.deps.notifications.notify(row.consumerId, { kind: 'feedback', title: '平台答复了你的反馈', body: answer.slice(0, 100), link: `/account/feedback/${id}` }, tx);
    });
  }

  /** Closes the item: nothing more changes on it. */
  async close(id: string, actor: AuditActor): Promise<void> {
    await this.change(id, async (row, tx, now) => {
      await this.items.update(tx, id, { status: 'closed', closedAt: now, updatedAt: now });
      await this.deps.audit.record(actor, { action: 'feedback.closed', objectType: 'feedback', objectId: id, detail: { from: row.status } }, tx);
      if (!row.answer) {
        await this.deps.notifications.notify(row.consumerId, { kind: 'feedback', title: '你的反馈已处理完毕', body: row.body.slice(0, 100), link: `/account/feedback/${id}` }, tx);
      }
    });
  }

  // ── erasure ────────────────────────────────────────────────────────────────────────────

  /**
   * Erasure of a consumer (个人信息删除), in the caller's transaction: each of their items keeps
   * its category, tags, status and dates (the triage statistics) but loses its text, its page,
   * the answer (it may quote them) and its screenshot. Returns how many items, and the way to
   * delete the screenshots' files once the transaction has committed (a file deleted before a
   * rollback could not be brought back).
   */
  async eraseConsumer(tx: Tx, consumerId: string): Promise<{ items: number; screenshots: number; deleteFiles(): Promise<void> }> {
    const rows = await this.items.lockForConsumer(tx, consumerId);
    const keys: string[] = [];
    for (const f of rows) {
      if (f.screenshotKey) keys.push(f.screenshotKey);
      await this.items.update(tx, f.id, {
        body: ERASED_TEXT,
        pagePath: null,
        answer: f.answer === null ? null : ERASED_TEXT,
        screenshotKey: null,
        screenshotMime: null,
        screenshotSize: null,
        screenshotSha256: null,
      });
    }
    return { items: rows.length, screenshots: keys.length, deleteFiles: async () => void (await Promise.all(keys.map((k) => this.deps.store.delete(k)))) };
  }
}
