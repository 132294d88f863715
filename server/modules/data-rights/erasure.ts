import { and, desc, eq } from 'drizzle-orm';
import { sqlState, UNIQUE_VIOLATION } from '../../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import { isTerminal } from '../applications';
import { accounts } from '../accounts/accounts.schema';
import type { AuditActor } from '../audit';
import type { DataRightsDeps } from './data-rights';
import { erasureRequests } from './data-rights.schema';

export type ErasureRequest = typeof erasureRequests.$inferSelect;

/**
 * What the borrower wrote to the platform, in the erasing transaction: feedback items lose their
 * text, answer and screenshot; desk conversations their messages and contact; complaints stay on
 * record for the regulator without their personal text; reviews stay under 已注销用户. Returns the
 * counts (for the audit row) and the way to delete the screenshots' files after the commit.
 */
export async function eraseWhatTheyWrote(deps: DataRightsDeps, tx: Tx, accountId: string): Promise<{ counts: Record<string, number>; deleteFiles(): Promise<void> }> {
  const feedback = await deps.feedback.eraseConsumer(tx, accountId);
  const conversations = await deps.desk.eraseParty(tx, accountId);
  const complaints = await deps.complaints.anonymiseConsumer(tx, accountId);
  const reviews = await deps.reviews.anonymiseAuthor(tx, accountId);
  return { counts: { feedback: feedback.items, screenshots: feedback.screenshots, conversations, complaints, reviews }, deleteFiles: feedback.deleteFiles };
}

/** An operator asks to erase a consumer's personal data; the reason is required. */
export async function requestErasure(deps: DataRightsDeps, accountId: string, reason: string, actor: AuditActor): Promise<ErasureRequest> {
  const why = reason.trim();
  if (why.length < 4 || why.length > 500) throw new ValidationError('请填写原因', { reason: '请填写 4–500 字的原因（如：用户经核实的删除请求编号）' });
  const [account] = await deps.db.select({ kind: accounts.kind, status: accounts.status }).from(accounts).where(eq(accounts.id, accountId));
  if (!account || account.kind !== 'consumer') throw new NotFoundError('用户');
  if (account.status === 'closed') throw new ConflictError('already_closed', '该账号已注销，个人信息已删除');
  try {
    const [row] = await withTransaction(deps.db, async (tx) => {
      const inserted = await tx.insert(erasureRequests).values({ id: newId('era'), accountId, reason: why, requestedBy: actor.id! }).returning();
      await deps.audit.record(actor, { action: 'erasure.requested', objectType: 'account', objectId: accountId, detail: { reason: why } }, tx);
      return inserted;
    });
    return row!;
  } catch (err) {
    if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('erasure_pending', '该用户已有待审批的删除申请');
    throw err;
  }
}

async function pendingRequest(deps: DataRightsDeps, id: string, actor: AuditActor): Promise<ErasureRequest> {
  const [row] = await deps.db.select().from(erasureRequests).where(and(eq(erasureRequests.id, id), eq(erasureRequests.status, 'pending')));
  if (!row) throw new NotFoundError('待审批的删除申请');
  if (row.requestedBy === actor.id) throw new ForbiddenError('删除数据需由另一名有权限的人员审批（双人复核）', 'two_person_rule');
  return row;
}

/**
 * A second operator approves: consents withdrawn, identity and profile erased, what the borrower
 * wrote to the platform erased or anonymised (feedback, desk conversations, complaints kept
 * anonymised for the regulator, reviews under 已注销用户), the login freed and every session
 * ended, in one transaction with the decision. Refused while an application
 * is still in progress (the institutions are still deciding on it).
 */
export async function approveErasure(deps: DataRightsDeps, id: string, actor: AuditActor): Promise<void> {
  const request = await pendingRequest(deps, id, actor);
  const open = (await deps.applications.listForConsumer(request.accountId)).filter((a) => !isTerminal(a.status));
  if (open.length) throw new ConflictError('applications_open', `该用户还有 ${open.length} 份申请在进行中，结束后才能删除`);
  const erased = await withTransaction(deps.db, async (tx) => {
    const [claimed] = await tx
      .update(erasureRequests)
      .set({ status: 'executed', decidedBy: actor.id!, decidedAt: deps.clock.now() })
      .where(and(eq(erasureRequests.id, id), eq(erasureRequests.status, 'pending')))
      .returning();
    if (!claimed) throw new ConflictError('erasure_decided', '该申请已被处理');
    await deps.consents.withdrawAll(tx, request.accountId);
    await deps.identity.erase(tx, request.accountId);
    await deps.credit.erase(tx, request.accountId);
    await deps.odds?.eraseFacts(tx, request.accountId);
    const written = await eraseWhatTheyWrote(deps, tx, request.accountId);
    await deps.accounts.close(tx, request.accountId);
    await deps.audit.record(actor, { action: 'erasure.executed', objectType: 'account', objectId: request.accountId, detail: { requestId: id, requestedBy: request.requestedBy, ...written.counts } }, tx);
    return written;
  });
  // the screenshots' files go once the erasure has committed
  await erased.deleteFiles();
}

export async function rejectErasure(deps: DataRightsDeps, id: string, note: string, actor: AuditActor): Promise<void> {
  const request = await pendingRequest(deps, id, actor);
  if (note.trim().length < 2) throw new ValidationError('请填写驳回原因', { note: '请填写驳回原因' });
  await withTransaction(deps.db, async (tx) => {
    await tx.update(erasureRequests).set({ status: 'rejected', decidedBy: actor.id!, decidedAt: deps.clock.now(), decisionNote: note.trim() }).where(eq(erasureRequests.id, id));
    await deps.audit.record(actor, { action: 'erasure.rejected', objectType: 'account', objectId: request.accountId, detail: { requestId: id, note: note.trim() } }, tx);
  });
}

export function erasureRequestsList(deps: DataRightsDeps, limit = 100): Promise<ErasureRequest[]> {
  return deps.db.select().from(erasureRequests).orderBy(desc(erasureRequests.createdAt)).limit(limit);
}
