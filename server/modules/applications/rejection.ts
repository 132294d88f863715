import { ConflictError } from '../../lib/errors';
import type { PrecheckItem } from './precheck';
import { rejectReasons, type RejectReason } from './status-machine';

/**
 * After a rejection: the institution's reason code in plain words (what it means, what the
 * borrower can do), and which other products to try — those the borrower is eligible for now,
 * with better odds than the product that said no.
 */
export interface RejectionExplanation {
  /** the code as the institution chose it (null when it gave none) */
  code: RejectReason | null;
  /** the reason in a few words (the label the institution saw) */
  label: string;
  /** what it means, said to the borrower */
  meaning: string;
  /** what the borrower can do about it */
  advice: string;
}

const plainWords: Record<RejectReason, { meaning: string; advice: string }> = {
  credit_score: {
    meaning: '机构根据你的信用情况，判断这次暂时不能批给你。这通常和近期的逾期、查询次数或信用记录较短有关。',
    advice: '按时还清现有借款、减少短期内的贷款申请，一段时间后信用会好转；也可以先看看门槛更低的产品。',
  },
  income: {
    meaning: '你填写的收入低于这款产品要求的最低收入。',
    advice: '可以选择收入要求更低的产品，或在收入提高、能提供收入证明后再申请。',
  },
  debt_ratio: {
    meaning: '你每月要还的借款占收入的比例偏高，机构担心再借会加重负担。',
    advice: '先还掉一部分现有借款，或申请更小的金额、更长的期限，让每月还款更轻。',
  },
  region: {
    meaning: '这家机构目前还不在你所在的城市放款，和你的个人资质无关。',
    advice: '选择在你所在城市可以申请的其他产品。',
  },
  incomplete: {
    meaning: '机构认为申请资料不完整或无法核实，所以没有继续审核。',
    advice: '核对实名信息和个人资料是否完整准确，再申请时按要求上传材料。',
  },
  policy: {
    meaning: '这次申请不符合该产品的内部政策（例如用途、年龄、职业或金额的限制）。',
    advice: '看看条件不同的其他产品，申请前可以先用“预审”了解能否申请。',
  },
};

const unexplained = {
  meaning: '机构没有说明具体原因。',
  advice: '可以在下方看看你现在符合条件、下款概率更高的产品。',
};

/** The reason of a rejected application in words; an unknown or missing code gets the general wording. */
export function explainRejection(code: string | null): RejectionExplanation {
  if (code && code in rejectReasons) {
    const known = code as RejectReason;
    return { code: known, label: rejectReasons[known], ...plainWords[known] };
  }
  return { code: null, label: '未说明原因', ...unexplained };
}

/** One product suggested after a rejection. */
export interface Alternative {
  productId: string;
  productName: string;
  institutionName: string;
  odds: PrecheckItem['odds'];
}

const middle = (o: PrecheckItem['odds']) => (o.low + o.high) / 2;

/** How many products a rejected application suggests at most. */
export const MAX_ALTERNATIVES = 5;

/**
 * The products to suggest: ones the borrower may apply for now (eligible for the amount, no
 * application to them in the last 30 days), not the product that refused, whose estimated odds
 * (the middle of the range) beat that product's odds for this borrower now; best odds first
 * (ties by name), at most MAX_ALTERNATIVES. Without the rejecting product's odds every eligible
 * product counts as better.
 */
export function betterAlternatives(items: readonly PrecheckItem[], rejectedProductId: string, limit = MAX_ALTERNATIVES): Alternative[] {
  const rejected = items.find((i) => i.productId === rejectedProductId);
  const bar = rejected ? middle(rejected.odds) : -1;
  return items
    .filter((i) => i.productId !== rejectedProductId && i.eligible && !i.duplicateOf && middle(i.odds) > bar)
    .sort((a, b) => middle(b.odds) - middle(a.odds) || a.productName.localeCompare(b.productName, 'zh-CN'))
    .slice(0, limit)
    .map(({ productId, productName, institutionName, odds }) => ({ productId, productName, institutionName, odds }));
}

/** A document or a message sent to a rejected application: 409 with the reason; nothing is kept. */
export class ApplicationRejectedError extends ConflictError {
  constructor(code: string | null, what: string) {
    super('application_rejected', `申请已被拒绝（${explainRejection(code).label}），不能再${what}`);
  }
}
