import type { ApplicationStatus } from './applications.schema';

export type Actor = 'consumer' | 'institution' | 'operator' | 'system';

/** Who may move an application from one status to another. Anything not listed is illegal. */
const transitions: Record<ApplicationStatus, Partial<Record<ApplicationStatus, readonly Actor[]>>> = {
  submitted: {
    reviewing: ['institution'],
    approved: ['institution'],
    // 'system': an institution's pre-screen rule declining on arrival
    rejected: ['institution', 'system'],
    withdrawn: ['consumer'],
    expired: ['system'],
  },
  reviewing: {
    approved: ['institution'],
    rejected: ['institution'],
    withdrawn: ['consumer'],
    expired: ['system'],
  },
  // an approval is an offer: it waits for the borrower, who accepts (and signs) or declines it,
  // until it expires; money moves only after acceptance
  approved: {
    accepted: ['consumer'],
    declined: ['consumer'],
    withdrawn: ['consumer'],
    expired: ['system'],
  },
  accepted: {
    disbursed: ['institution'],
    withdrawn: ['consumer'],
    expired: ['system'],
  },
  declined: {},
  rejected: {},
  disbursed: {},
  withdrawn: {},
  expired: {},
};

export function canTransition(from: ApplicationStatus, to: ApplicationStatus, actor: Actor): boolean {
  return transitions[from][to]?.includes(actor) ?? false;
}

export function nextStatuses(from: ApplicationStatus, actor: Actor): ApplicationStatus[] {
  return (Object.entries(transitions[from]) as [ApplicationStatus, readonly Actor[]][])
    .filter(([, actors]) => actors.includes(actor))
    .map(([to]) => to);
}

export function isTerminal(status: ApplicationStatus): boolean {
  return Object.keys(transitions[status]).length === 0;
}

export const statusLabels: Record<ApplicationStatus, string> = {
  submitted: '已提交',
  reviewing: '审核中',
  approved: '已批准，待确认',
  accepted: '已接受，待放款',
  declined: '借款人已谢绝',
  rejected: '已拒绝',
  disbursed: '已放款',
  withdrawn: '已撤回',
  expired: '已过期',
};

export const rejectReasons = {
  credit_score: '信用评分不足',
  income: '收入不满足要求',
  debt_ratio: '负债率过高',
  region: '所在地区暂不支持',
  incomplete: '资料不完整',
  policy: '不符合产品政策',
} as const;
export type RejectReason = keyof typeof rejectReasons;
