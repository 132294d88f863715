import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import { openDisplayName } from '../accounts';
import { operatorsHolding } from './handlers';
import type { ApplicationsService } from '../applications';
import type { AuditActor, AuditService } from '../audit';
import type { IdentityService } from '../identity';
import type { NotificationsService } from '../notifications';
import type { SettingsService } from '../settings';
import { complaintCategoryLabels, complaintStatusLabels, transitionProblem, type ComplaintActor } from './complaint-status';
import {
  ComplaintsRepository,
  FINISHED_STATUSES,
  type ComplaintEventInput,
  type ComplaintInsert,
  type ComplaintQueueFilter,
  type ComplaintRow,
  type ComplaintWithNames,
} from './complaints.repository';
import type { ComplaintCategory, ComplaintEventKind, ComplaintStatus, ComplaintVisibility } from './feedback.schema';
import { escalationFor, hoursLeft, slaDueDates } from './sla';
import { ERASED_NAME, ERASED_TEXT } from './erased';
import type { Clock } from '../../lib/clock';
import type { EventBus } from '../../lib/events';

export type { ComplaintRow, ComplaintEventRow } from './complaints.repository';
export type Audience = 'consumer' | 'institution' | 'operator';

export interface ComplaintInput {
  category: ComplaintCategory;
  subject: string;
  description: string;
  applicationId?: string;
}

export interface ComplaintView {
  id: string;
  category: ComplaintCategory;
  categoryLabel: string;
  subject: string;
  description: string;
  status: ComplaintStatus;
  statusLabel: string;
  institutionId: string | null;
  institutionName: string | null;
  applicationId: string | null;
  consumerNameMasked: string;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OperatorComplaintView extends ComplaintView {
  consumerId: string;
  assigneeId: string | null;
  assigneeName: string | null;
  escalationLevel: number;
  escalatedAt: Date | null;
  /** past a deadline right now (first answer missing, or not resolved in time) */
  overdue: boolean;
  /** hours until the deadline that matters now; negative when overdue */
  hoursLeft: number | null;
}

export interface ComplaintEventView {
  id: number;
  kind: ComplaintEventKind;
  visibility: ComplaintVisibility;
  actorKind: string;
  actorLabel: string;
  toStatus: string | null;
  toLabel: string | null;
  body: string | null;
  createdAt: Date;
}

export type QueueFilter = ComplaintQueueFilter;

/** A complaint ready to be written (`ComplaintsService.draft`). */
export type ComplaintDraft = ComplaintInsert & { id: string; consumerId: string; institutionId: string | null; category: ComplaintCategory; createdAt: Date };

/** What each audience may read of a ticket's timeline. */
const visibleTo: Record<Audience, ComplaintVisibility[]> = {
  consumer: ['all', 'consumer'],
  institution: ['all', 'institution'],
  operator: ['all', 'consumer', 'institution', 'internal'],
};

function cleanBody(body: string, field = 'body'): string {
  const text = body.trim();
  if (text.length === 0) throw new ValidationError('内容不能为空', { [field]: '请输入内容' });
  if (text.length > 2000) throw new ValidationError('内容过长', { [field]: '最多 2000 字' });
  return text;
}

export interface ComplaintsServiceDeps {
  clock: Clock;
  events: EventBus;
  db: Database;
  audit: AuditService;
  notifications: NotificationsService;
  settings: SettingsService;
  identity: IdentityService;
  applications: ApplicationsService;
  /** opens the operators' names (assignees) */
  pii: PiiCipher;
}

/**
 * Complaints: tickets with a first-answer and a resolution deadline (system settings), handled by
 * operators, with separate threads to the consumer and to the institution and internal notes.
 * Every status change is audited; overdue tickets are escalated by `escalateOverdue(now)`.
 */
export class ComplaintsService {
  private readonly complaints: ComplaintsRepository;

  /** opens the operators' names (assignees) */
  private readonly bus: EventBus;

  constructor(private readonly deps: ComplaintsServiceDeps) {
    this.bus = deps.events;
    this.complaints = new ComplaintsRepository(deps.db);
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  private static view(row: { c: ComplaintRow; institutionName: string | null }): ComplaintView {
    const c = row.c;
    return {
      id: c.id,
      category: c.category,
      categoryLabel: complaintCategoryLabels[c.category],
      subject: c.subject,
      description: c.description,
      status: c.status,
      statusLabel: complaintStatusLabels[c.status],
      institutionId: c.institutionId,
      institutionName: row.institutionName,
      applicationId: c.applicationId,
      consumerNameMasked: c.consumerNameMasked,
      firstResponseDueAt: c.firstResponseDueAt,
      resolutionDueAt: c.resolutionDueAt,
      firstRespondedAt: c.firstRespondedAt,
      resolvedAt: c.resolvedAt,
      closedAt: c.closedAt,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  private operatorView(row: ComplaintWithNames, now: Date): OperatorComplaintView {
    const c = row.c;
    const finished = FINISHED_STATUSES.includes(c.status);
    const due = c.firstRespondedAt === null ? c.firstResponseDueAt : c.resolutionDueAt;
    const left = finished ? null : hoursLeft(due, now);
    const resolutionLate = !finished && c.resolutionDueAt.getTime() <= now.getTime();
    const firstLate = !finished && c.firstRespondedAt === null && c.firstResponseDueAt.getTime() <= now.getTime();
    return {
      ...ComplaintsService.view(row),
      consumerId: c.consumerId,
      assigneeId: c.assigneeId,
      assigneeName: row.assigneeNameEnc ? openDisplayName(this.deps.pii, row.assigneeNameEnc) : null,
      escalationLevel: c.escalationLevel,
      escalatedAt: c.escalatedAt,
      overdue: resolutionLate || firstLate,
      hoursLeft: left,
    };
  }

  private async events(complaintId: string, audience: Audience): Promise<ComplaintEventView[]> {
    const rows = await this.complaints.events(complaintId, visibleTo[audience]);
    const actorLabels: Record<string, string> = { consumer: audience === 'consumer' ? '你' : '用户', institution: '机构', operator: '平台客服', system: '系统' };
    return rows.map((e) => ({
      id: e.id,
      kind: e.kind,
      visibility: e.visibility,
      actorKind: e.actorKind,
      actorLabel: actorLabels[e.actorKind] ?? e.actorKind,
      toStatus: e.toStatus,
      toLabel: e.toStatus ? (complaintStatusLabels[e.toStatus as ComplaintStatus] ?? e.toStatus) : null,
      body: e.body,
      createdAt: e.createdAt,
    }));
  }

  private static found<T>(row: T | undefined): T {
    if (!row) throw new NotFoundError('投诉');
    return row;
  }

  async listForConsumer(consumerId: string): Promise<ComplaintView[]> {
    const rows = await this.complaints.listForConsumer(consumerId);
    return rows.map((r) => ComplaintsService.view(r));
  }

  /** A consumer's own ticket with what they may read of its timeline; anyone else's is "not found". */
  async getForConsumer(consumerId: string, id: string): Promise<ComplaintView & { events: ComplaintEventView[] }> {
    const row = ComplaintsService.found(await this.complaints.findForConsumer(consumerId, id));
    return { ...ComplaintsService.view(row), events: await this.events(id, 'consumer') };
  }

  async listForInstitution(institutionId: string): Promise<ComplaintView[]> {
    const rows = await this.complaints.listForInstitution(institutionId);
    return rows.map((r) => ComplaintsService.view(r));
  }

  /** A ticket about this institution: the consumer only as a masked name, no internal notes, no consumer thread. */
  async getForInstitution(institutionId: string, id: string, actor: AuditActor): Promise<ComplaintView & { events: ComplaintEventView[] }> {
    const row = ComplaintsService.found(await this.complaints.findForInstitution(institutionId, id));
    await this.deps.audit.recordNow(actor, { action: 'complaint.viewed', objectType: 'complaint', objectId: id });
    return { ...ComplaintsService.view(row), events: await this.events(id, 'institution') };
  }

  /** The operators' queue: escalated tickets first, then by the nearest deadline. */
  async queue(filter: QueueFilter = {}, now = this.deps.clock.now(), limit = 200): Promise<OperatorComplaintView[]> {
    const rows = await this.complaints.queue(filter, now, limit);
    return rows.map((r) => this.operatorView(r, now));
  }

  /** Tickets not yet resolved, and how many of them are past a deadline now (first answer or resolution). */
  openCounts(now = this.deps.clock.now()): Promise<{ open: number; overdue: number; escalated: number }> {
    return this.complaints.openCounts(now);
  }

  /** A ticket for an operator, with the whole timeline; the view is audited. */
  async getForOperator(id: string, actor: AuditActor, now = this.deps.clock.now()): Promise<OperatorComplaintView & { events: ComplaintEventView[] }> {
    const row = ComplaintsService.found(await this.complaints.find(id));
    await this.deps.audit.recordNow(actor, { action: 'complaint.viewed', objectType: 'complaint', objectId: id });
    return { ...this.operatorView(row, now), events: await this.events(id, 'operator') };
  }

  /** Operators who may be assigned tickets (hold `complaints.handle`). */
  handlers(): Promise<{ id: string; displayName: string }[]> {
    return operatorsHolding(this.complaints, this.deps.pii, 'complaints.handle');
  }

  // ── writing ────────────────────────────────────────────────────────────────────────────
  private addEvent(tx: Tx, complaintId: string, e: ComplaintEventInput, at: Date): Promise<void> {
    return this.complaints.addEvent(tx, complaintId, e, at);
  }

  /** A consumer files a complaint, about the institution of one of their own applications or about the platform. */
  async file(consumerId: string, input: ComplaintInput, actor: AuditActor, now = this.deps.clock.now()): Promise<ComplaintView> {
    const draft = await this.draft(consumerId, input, now);
    await withTransaction(this.deps.db, (tx) => this.fileDraft(tx, draft, actor));
    return (await this.listForConsumer(consumerId)).find((c) => c.id === draft.id)!;
  }

  /**
   * What filing needs to read first (the application's institution, the SLA settings, the
   * consumer's masked name), so that `fileDraft` can then write it inside a caller's transaction
   * (on PGlite a read beside an open transaction would wait for it).
   */
  async draft(consumerId: string, input: ComplaintInput, now = this.deps.clock.now()): Promise<ComplaintDraft> {
    let institutionId: string | null = null;
    if (input.applicationId) {
      try {
        institutionId = (await this.deps.applications.getForConsumer(consumerId, input.applicationId)).institutionId;
      } catch (err) {
        if (err instanceof NotFoundError) throw new ValidationError('投诉信息有误', { applicationId: '没有找到你的这笔申请' });
        throw err;
      }
    }
    const [firstResponseHours, resolutionHours] = await Promise.all([
      this.deps.settings.get('complaints.firstResponseHours'),
      this.deps.settings.get('complaints.resolutionHours'),
    ]);
    const identity = await this.deps.identity.summary(consumerId);
    return {
      id: newId('cmp'),
      consumerId,
      consumerNameMasked: identity.realNameMasked ?? '用户',
      institutionId,
      applicationId: input.applicationId ?? null,
      category: input.category,
      subject: input.subject,
      description: input.description,
      ...slaDueDates(now, { firstResponseHours, resolutionHours }),
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Writes a drafted complaint, its first event and its audit row in the caller's transaction (the desk links it to a conversation in the same one). */
  async fileDraft(tx: Tx, draft: ComplaintDraft, actor: AuditActor): Promise<{ id: string }> {
    await this.complaints.insert(tx, draft);
    await this.addEvent(tx, draft.id, { kind: 'created', visibility: 'all', actorKind: 'consumer', actorId: draft.consumerId, toStatus: 'open' }, draft.createdAt);
    await this.deps.audit.record(actor, { action: 'complaint.filed', objectType: 'complaint', objectId: draft.id, detail: { category: draft.category, institutionId: draft.institutionId } }, tx);
    return { id: draft.id };
  }

  /**
   * Erasure of a consumer: their complaints stay on record for the regulator (category,
   * institution, deadlines, every status change with who and when), but the personal text goes:
   * the subject becomes the category's label, the description and every message and note on
   * the timeline are replaced, and the name shown to institutions becomes 已注销用户.
   * Returns how many complaints were anonymised.
   */
  async anonymiseConsumer(tx: Tx, consumerId: string): Promise<number> {
    return this.complaints.anonymiseConsumer(tx, consumerId, {
      subjectOf: (category) => `${complaintCategoryLabels[category]}（已匿名）`,
      text: ERASED_TEXT,
      name: ERASED_NAME,
    });
  }

  /** Moves a ticket after checking the status machine; audited, and notified to the consumer when someone else moved it. */
  private async move(tx: Tx, c: ComplaintRow, to: ComplaintStatus, who: ComplaintActor, actor: AuditActor, now: Date, note?: string): Promise<void> {
    const problem = transitionProblem(c, to, who, now);
    if (problem) throw new ConflictError('illegal_transition', problem);
    const patch: Partial<ComplaintRow> = { status: to, updatedAt: now };
    if (to === 'resolved') {
      patch.resolvedAt = now;
      // resolving answers the consumer
      if (!c.firstRespondedAt) patch.firstRespondedAt = now;
    }
    if (to === 'closed') patch.closedAt = now;
    if (c.status === 'resolved' && to === 'in_progress') patch.resolvedAt = null;
    if (!(await this.complaints.changeStatusIfStill(tx, c.id, c.status, patch))) throw new ConflictError('concurrent_change', '投诉状态已被他人更新，请刷新后重试');
    await this.addEvent(tx, c.id, { kind: 'status', visibility: 'all', actorKind: who, actorId: actor.id, fromStatus: c.status, toStatus: to, body: note }, now);
    await this.deps.audit.record(actor, { action: 'complaint.status_changed', objectType: 'complaint', objectId: c.id, detail: { from: c.status, to, note: note ?? null } }, tx);
    if (who !== 'consumer') {
      await this.deps.notifications.notify(
        c.consumerId,
        { kind: 'complaint', title: `你的投诉${complaintStatusLabels[to]}`, body: c.subject.slice(0, 100), link: `/account/complaints/${c.id}` },
        tx,
      );
    }
    Object.assign(c, patch);
  }

  // consumer
  async replyByConsumer(consumerId: string, id: string, body: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockForConsumer(tx, consumerId, id));
      if (c.status === 'closed') throw new ConflictError('complaint_closed', '投诉已关闭，不能再回复');
      if (c.status === 'resolved') throw new ConflictError('complaint_resolved', '投诉已解决；如问题仍在，请先点“重新打开”');
      await this.addEvent(tx, id, { kind: 'message', visibility: 'consumer', actorKind: 'consumer', actorId: consumerId, body: text }, now);
      if (c.status === 'awaiting_consumer') await this.move(tx, c, 'in_progress', 'consumer', actor, now);
      else await this.complaints.update(tx, id, { updatedAt: now });
    });
  }

  async confirmResolved(consumerId: string, id: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockForConsumer(tx, consumerId, id));
      await this.move(tx, c, 'closed', 'consumer', actor, now, '用户确认已解决');
    });
  }

  async reopen(consumerId: string, id: string, reason: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(reason, 'reason');
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockForConsumer(tx, consumerId, id));
      await this.move(tx, c, 'in_progress', 'consumer', actor, now, `用户重新打开：${text}`);
    });
  }

  // institution
  async replyByInstitution(institutionId: string, staffId: string, id: string, body: string, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockForInstitution(tx, institutionId, id));
      if (c.status === 'closed') throw new ConflictError('complaint_closed', '投诉已关闭，不能再回复');
      await this.addEvent(tx, id, { kind: 'message', visibility: 'institution', actorKind: 'institution', actorId: staffId, body: text }, now);
      await this.complaints.update(tx, id, { updatedAt: now });
    });
  }

  // operator
  async assign(id: string, assigneeId: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const handler = (await this.handlers()).find((h) => h.id === assigneeId);
    if (!handler) throw new ValidationError('指派对象无效', { assigneeId: '请选择有投诉处理权限的运营人员' });
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockById(tx, id));
      await this.complaints.update(tx, id, { assigneeId, updatedAt: now });
      await this.addEvent(tx, id, { kind: 'assigned', visibility: 'internal', actorKind: 'operator', actorId: actor.id, body: `指派给 ${handler.displayName}` }, now);
      await this.deps.audit.record(actor, { action: 'complaint.assigned', objectType: 'complaint', objectId: id, detail: { from: c.assigneeId, to: assigneeId } }, tx);
    });
  }

  async changeStatus(id: string, to: ComplaintStatus, actor: AuditActor, note?: string, now = this.deps.clock.now()): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockById(tx, id));
      await this.move(tx, c, to, 'operator', actor, now, note?.trim() || undefined);
    });
  }

  /** An internal note: operators only, never shown to the consumer or the institution. */
  async addNote(id: string, body: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    await withTransaction(this.deps.db, async (tx) => {
      ComplaintsService.found(await this.complaints.lockById(tx, id));
      await this.addEvent(tx, id, { kind: 'note', visibility: 'internal', actorKind: 'operator', actorId: actor.id, body: text }, now);
    });
  }

  /** A message from the platform to the consumer (their first answer stops the first-answer clock) or to the institution. */
  async messageFromOperator(id: string, to: 'consumer' | 'institution', body: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = cleanBody(body);
    await withTransaction(this.deps.db, async (tx) => {
      const c = ComplaintsService.found(await this.complaints.lockById(tx, id));
      if (c.status === 'closed') throw new ConflictError('complaint_closed', '投诉已关闭');
      if (to === 'institution' && !c.institutionId) throw new ValidationError('该投诉不涉及机构', { to: '这是针对平台的投诉，没有机构可联系' });
      await this.addEvent(tx, id, { kind: 'message', visibility: to, actorKind: 'operator', actorId: actor.id, body: text }, now);
      await this.complaints.update(tx, id, { updatedAt: now, ...(to === 'consumer' && !c.firstRespondedAt ? { firstRespondedAt: now } : {}) });
      if (to === 'consumer') {
        await this.deps.notifications.notify(c.consumerId, { kind: 'complaint', title: '平台回复了你的投诉', body: text.slice(0, 100), link: `/account/complaints/${id}` }, tx);
      }
      await this.deps.audit.record(actor, { action: 'complaint.messaged', objectType: 'complaint', objectId: id, detail: { to } }, tx);
    });
  }

  /**
   * Recomputes the complaint rate of every product from the last 90 days (a ranking signal) and
   * announces it (`complaints.ratesChanged`); returns how many products have complaints.
   */
  async refreshProductRates(now = this.deps.clock.now()): Promise<number> {
    const since = new Date(now.getTime() - 90 * 86_400_000);
    const rates = await this.complaints.productComplaintRates(since);
    await this.bus.emit('complaints.ratesChanged', { rates });
    return rates.size;
  }

  /**
   * Escalates every open ticket past a deadline it has not been escalated for: level 1 when the
   * first answer is late, 2 when resolution is late. Writes an internal event on the ticket.
   * Idempotent: a ticket already at its level is left alone, so a second run changes nothing.
   */
  async escalateOverdue(now: Date): Promise<number> {
    const candidates = await this.complaints.escalationCandidates(now);
    let escalated = 0;
    for (const c of candidates) {
      const level = escalationFor(c, now);
      if (level === null) continue;
      const done = await withTransaction(this.deps.db, async (tx) => {
        if (!(await this.complaints.escalate(tx, c.id, level, now))) return false;
        const why = level === 2 ? `超过办结时限（${c.resolutionDueAt.toISOString()}）仍未解决` : `超过首次答复时限（${c.firstResponseDueAt.toISOString()}）仍未答复`;
        await this.addEvent(tx, c.id, { kind: 'escalated', visibility: 'internal', actorKind: 'system', toStatus: undefined, body: `升级为 ${level} 级：${why}` }, now);
        await this.deps.audit.record({ kind: 'system' }, { action: 'complaint.escalated', objectType: 'complaint', objectId: c.id, detail: { level } }, tx);
        return true;
      });
      if (done) escalated += 1;
    }
    return escalated;
  }
}
