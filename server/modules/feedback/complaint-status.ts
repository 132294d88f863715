import type { ComplaintCategory, ComplaintStatus } from './feedback.schema';

export type ComplaintActor = 'consumer' | 'operator' | 'system';

/** How long after resolution the consumer may still reopen a ticket. */
export const REOPEN_WINDOW_DAYS = 7;

/** Who may move a ticket from one status to another. Anything not listed is illegal. */
const transitions: Record<ComplaintStatus, Partial<Record<ComplaintStatus, readonly ComplaintActor[]>>> = {
  open: { in_progress: ['operator'], awaiting_consumer: ['operator'], resolved: ['operator'] },
  in_progress: { awaiting_consumer: ['operator'], resolved: ['operator'] },
  // the consumer's reply puts the ticket back in the operator's hands
  awaiting_consumer: { in_progress: ['operator', 'consumer'], resolved: ['operator'] },
  // the consumer confirms (closed) or reopens within the window (in_progress); operators may close
  resolved: { closed: ['consumer', 'operator', 'system'], in_progress: ['consumer', 'operator'] },
  closed: {},
};

export const complaintStatusLabels: Record<ComplaintStatus, string> = {
  open: '待处理',
  in_progress: '处理中',
  awaiting_consumer: '待你回复',
  resolved: '已解决',
  closed: '已关闭',
};

export const complaintCategoryLabels: Record<ComplaintCategory, string> = {
  collection: '暴力催收/骚扰',
  fees: '乱收费',
  privacy: '信息泄露',
  approval: '审批/放款问题',
  platform: '平台服务',
  other: '其他',
};

/**
 * Whether `actor` may move a ticket to `to` now; null when allowed, else the reason.
 * A consumer reopening (resolved → in_progress) must do so within 7 days of resolution.
 */
export function transitionProblem(
  ticket: { status: ComplaintStatus; resolvedAt: Date | null },
  to: ComplaintStatus,
  actor: ComplaintActor,
  now: Date,
): string | null {
  if (!transitions[ticket.status][to]?.includes(actor)) {
    return `不能从「${complaintStatusLabels[ticket.status]}」变为「${complaintStatusLabels[to]}」`;
  }
  if (ticket.status === 'resolved' && to === 'in_progress' && actor === 'consumer') {
    const resolvedAt = ticket.resolvedAt?.getTime() ?? 0;
    if (now.getTime() - resolvedAt > REOPEN_WINDOW_DAYS * 86_400_000) return `解决超过 ${REOPEN_WINDOW_DAYS} 天，不能再重新打开，请提交新的投诉`;
  }
  return null;
}

export function nextComplaintStatuses(from: ComplaintStatus, actor: ComplaintActor): ComplaintStatus[] {
  return (Object.entries(transitions[from]) as [ComplaintStatus, readonly ComplaintActor[]][]).filter(([, actors]) => actors.includes(actor)).map(([to]) => to);
}

export function isFinished(status: ComplaintStatus): boolean {
  return status === 'resolved' || status === 'closed';
}
