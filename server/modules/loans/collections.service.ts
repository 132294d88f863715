import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { quietUntil } from '../../lib/quiet-hours';
import { isIsoDate, shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import { byDisplayName, openDisplayName, type AccountsService } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { SettingsService } from '../settings';
import {
  CollectionsRepository,
  type CaseWithLoan,
  type CollectionCaseRow,
  type CollectionNoteRow,
  type ContactAttemptRow,
  type PromiseRow,
} from './collections.repository';
import { LoansRepository } from './loans.repository';
import type { Clock } from '../../lib/clock';

export type { CollectionCaseRow };

export const caseStageLabels: Record<CollectionCaseRow['stage'], string> = { call: '电话跟进', collection: '催收', escalated: '已升级' };
export const contactResultLabels = { reached: '已联系上', no_answer: '无人接听', refused: '拒绝沟通', promised: '承诺还款' } as const;
export type ContactResult = keyof typeof contactResultLabels;
export const contactChannelLabels = { call: '电话', sms: '短信' } as const;
export const promiseStatusLabels = { pending: '待兑现', kept: '已兑现', broken: '未兑现' } as const;

/** Contact is allowed from 08:00 to 22:00 Asia/Shanghai, whatever the borrower's own quiet hours. */
export function withinContactHours(at: Date): boolean {
  return quietUntil(at, '22:00', '08:00') === null;
}

class ContactRefusedError extends ForbiddenError {
  constructor(message: string, fields?: Record<string, string>) {
    super(message, 'contact_refused', fields);
  }
}

export interface CaseListItem extends CollectionCaseRow {
  stageLabel: string;
  productName: string;
  assigneeName: string | null;
  principalFen: number;
}

export interface CaseDetail extends CaseListItem {
  notes: (CollectionNoteRow & { authorName: string | null })[];
  promises: (PromiseRow & { statusLabel: string })[];
  attempts: (ContactAttemptRow & { channelLabel: string; resultLabel: string })[];
  attemptsToday: number;
  dailyLimit: number;
  /** the borrower's own contact choices (from their account settings), which attempts must respect */
  borrower: BorrowerContact;
}

export interface BorrowerContact {
  allowCall: boolean;
  allowSms: boolean;
  quietStart: string;
  quietEnd: string;
  /** inside the borrower's quiet hours now */
  quietNow: boolean;
}

export interface CollectionsServiceDeps {
  clock: Clock;
  db: Database;
  settings: SettingsService;
  audit: AuditService;
  accounts: AccountsService;
  /** opens the staff names (assignees, note authors) */
  pii: PiiCipher;
}

/**
 * The institution's collection cases: assignment to its own staff, notes, promises to pay,
 * outcomes, and contact attempts — with the borrower only, 08:00–22:00, within a daily limit,
 * by a channel the borrower has not switched off and outside their own quiet hours.
 */
export class CollectionsService {
  private readonly cases: CollectionsRepository;
  private readonly loans: LoansRepository;

  /** opens the staff names (assignees, note authors) */

  constructor(private readonly deps: CollectionsServiceDeps) {
    this.cases = new CollectionsRepository(deps.db);
    this.loans = new LoansRepository(deps.db);
  }

  private async borrowerContact(loanId: string, now: Date): Promise<BorrowerContact> {
    const consumerId = await this.loans.consumerIdOf(loanId);
    const prefs = await this.deps.accounts.contactPreferences(consumerId!);
    return {
      allowCall: prefs.allowCall,
      allowSms: prefs.allowSms,
      quietStart: prefs.quietStart,
      quietEnd: prefs.quietEnd,
      quietNow: quietUntil(now, prefs.quietStart, prefs.quietEnd) !== null,
    };
  }

  private item(r: CaseWithLoan): CaseListItem {
    const assigneeName = r.assigneeNameEnc ? openDisplayName(this.deps.pii, r.assigneeNameEnc) : null;
    return { ...r.c, stageLabel: caseStageLabels[r.c.stage], productName: r.productName, assigneeName, principalFen: r.principalFen };
  }

  async list(institutionId: string, filter: { status?: 'open' | 'closed' } = {}): Promise<CaseListItem[]> {
    const rows = await this.cases.list(institutionId, filter.status);
    return rows.map((r) => this.item(r));
  }

  /** One of the institution's own cases; another institution's is "not found". */
  async get(institutionId: string, id: string, now = this.deps.clock.now()): Promise<CaseDetail> {
    const row = await this.cases.find(institutionId, id);
    if (!row) throw new NotFoundError('催收案件');
    const notes = await this.cases.notesOf(id);
    const promises = await this.cases.promisesOf(id);
    const attempts = await this.cases.attemptsOf(id);
    return {
      ...this.item(row),
      notes: notes.map((n) => ({ ...n.n, authorName: n.authorNameEnc ? openDisplayName(this.deps.pii, n.authorNameEnc) : null })),
      promises: promises.map((p) => ({ ...p, statusLabel: promiseStatusLabels[p.status] })),
      attempts: attempts.map((a) => ({ ...a, channelLabel: contactChannelLabels[a.channel], resultLabel: contactResultLabels[a.result] })),
      attemptsToday: await this.cases.attemptsOn(row.c.loanId, shanghaiDate(now)),
      dailyLimit: await this.deps.settings.get('collections.dailyContactLimit'),
      borrower: await this.borrowerContact(row.c.loanId, now),
    };
  }

  private async own(tx: Tx, institutionId: string, id: string): Promise<CollectionCaseRow> {
    const c = await this.cases.lock(tx, institutionId, id);
    if (!c) throw new NotFoundError('催收案件');
    return c;
  }

  /** Assigns the case to one of the institution's own active staff (or nobody). */
  async assign(institutionId: string, id: string, staffId: string | null, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      await this.own(tx, institutionId, id);
      if (staffId) {
        if (!(await this.cases.isActiveStaff(staffId, institutionId, tx))) throw new ValidationError('员工不存在', { assigneeId: '请选择本机构的员工' });
      }
      await this.cases.update(tx, id, { assigneeId: staffId });
      await this.deps.audit.record(actor, { action: 'collection.assigned', objectType: 'collection_case', objectId: id, detail: { assigneeId: staffId } }, tx);
    });
  }

  /** The institution's own staff, for the assignment form. */
  async staffOf(institutionId: string): Promise<{ id: string; displayName: string }[]> {
    const rows = await this.cases.staffOf(institutionId);
    return rows.map((r) => ({ id: r.id, displayName: openDisplayName(this.deps.pii, r.displayNameEnc) })).sort(byDisplayName);
  }

  async addNote(institutionId: string, id: string, body: string, actor: AuditActor): Promise<void> {
    const text = body.trim();
    if (text.length < 1 || text.length > 1000) throw new ValidationError('备注有误', { body: '请填写 1–1000 字的备注' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.own(tx, institutionId, id);
      await this.cases.insertNote(tx, { caseId: id, authorId: actor.id ?? null, body: text });
    });
  }

  async addPromise(institutionId: string, id: string, input: { promisedDate: string; amountFen: number }, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const errors: Record<string, string> = {};
    if (!isIsoDate(input.promisedDate)) errors.promisedDate = '日期格式为 YYYY-MM-DD';
    else if (input.promisedDate < shanghaiDate(now)) errors.promisedDate = '承诺日期不能早于今天';
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) errors.amount = '金额须大于 0';
    if (Object.keys(errors).length > 0) throw new ValidationError('还款承诺有误', errors);
    await withTransaction(this.deps.db, async (tx) => {
      const c = await this.own(tx, institutionId, id);
      if (c.status !== 'open') throw new ConflictError('case_closed', '案件已关闭', { promisedDate: '案件已关闭' });
      await this.cases.insertPromise(tx, { caseId: id, loanId: c.loanId, promisedDate: input.promisedDate, amountFen: input.amountFen, createdBy: actor.id ?? null, createdAt: now });
      await this.deps.audit.record(actor, { action: 'collection.promise_recorded', objectType: 'collection_case', objectId: id, detail: input }, tx);
    });
  }

  async close(institutionId: string, id: string, outcome: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = outcome.trim();
    if (text.length < 1 || text.length > 200) throw new ValidationError('结果有误', { outcome: '请填写 1–200 字的处理结果' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.own(tx, institutionId, id);
      await this.cases.update(tx, id, { status: 'closed', outcome: text, closedAt: now });
      await this.deps.audit.record(actor, { action: 'collection.closed', objectType: 'collection_case', objectId: id, detail: { outcome: text } }, tx);
    });
  }

  /**
   * Records a contact attempt. Refused (403 contact_refused) for anyone but the borrower, outside
   * 08:00–22:00 Asia/Shanghai, by a channel the borrower switched off (电话 / 短信 in their
   * contact settings), inside the borrower's own quiet hours, and beyond the daily limit per loan
   * (system parameter). A borrower's "stop contacting me" for an institution is about marketing
   * and lead follow-up; it does not stop the collection of a loan they took.
   */
  async recordContact(
    institutionId: string,
    id: string,
    input: { channel: 'call' | 'sms'; result: ContactResult; note?: string; target?: string },
    actor: AuditActor,
    now = this.deps.clock.now(),
  ): Promise<void> {
    if (input.target !== undefined && input.target !== 'borrower') {
      throw new ContactRefusedError('只能联系借款人本人，不得联系第三方', { target: '只能联系借款人本人' });
    }
    if (!withinContactHours(now)) throw new ContactRefusedError('只能在 08:00–22:00（北京时间）联系借款人');
    if (!(input.channel in contactChannelLabels)) throw new ValidationError('联系方式有误', { channel: '请选择电话或短信' });
    if (!(input.result in contactResultLabels)) throw new ValidationError('联系结果有误', { result: '请选择联系结果' });
    const limit = await this.deps.settings.get('collections.dailyContactLimit');
    const day = shanghaiDate(now);
    const loanId = await this.cases.loanIdOf(institutionId, id);
    if (!loanId) throw new NotFoundError('催收案件');
    const borrower = await this.borrowerContact(loanId, now);
    if (input.channel === 'call' && !borrower.allowCall) {
      throw new ContactRefusedError('借款人已关闭电话联系，请改用短信', { channel: '借款人不接受电话联系' });
    }
    if (input.channel === 'sms' && !borrower.allowSms) {
      throw new ContactRefusedError('借款人已关闭短信联系，请改用电话', { channel: '借款人不接受短信联系' });
    }
    if (borrower.quietNow) {
      throw new ContactRefusedError(`借款人设置了免打扰时段 ${borrower.quietStart}–${borrower.quietEnd}（北京时间），请在此之外联系`);
    }
    await withTransaction(this.deps.db, async (tx) => {
      const c = await this.own(tx, institutionId, id);
      // the case row is locked: concurrent attempts on one loan are counted one after another
      await this.loans.lock(tx, c.loanId);
      const today = await this.cases.attemptsOn(c.loanId, day, tx);
      if (today >= limit) throw new ContactRefusedError(`今天已联系 ${today} 次，达到每日上限 ${limit} 次`);
      await this.cases.insertAttempt(tx, {
        caseId: id,
        loanId: c.loanId,
        channel: input.channel,
        result: input.result,
        note: (input.note ?? '').trim().slice(0, 500),
        staffId: actor.id ?? null,
        day,
        attemptedAt: now,
      });
      await this.deps.audit.record(actor, { action: 'collection.contact_recorded', objectType: 'collection_case', objectId: id, detail: { channel: input.channel, result: input.result } }, tx);
    });
  }
}
