import type { Fen } from '../../lib/money';
import { maskName } from '../../lib/pii';
import type { ApplicationStatus } from './applications.schema';
import type { ApplicationEvent, ApplicationRow } from './applications.repository';
import { rejectReasons, statusLabels, type RejectReason } from './status-machine';

/** An application as its consumer, its institution or an operator sees it: PII masked. */
export interface ApplicationView {
  id: string;
  /** internal: never serialised to institutions */
  consumerId: string;
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

/** What a timeline shows of one status change: the row without its serial id. */
export type TimelineEntry = Pick<ApplicationEvent, 'fromStatus' | 'toStatus' | 'actorKind' | 'note' | 'createdAt'> & { toLabel: string };

/** An application with its timeline, as the consumer is answered (ApplicationDetail is one). */
export interface ApplicationWithTimeline extends ApplicationView {
  events: TimelineEntry[];
}

/** The names an application is shown with: its product's and its institution's (short name). */
export interface ApplicationNames {
  productName: string;
  institutionName: string;
}

/** The view of a row; `applicantName` is the clear name (the caller decrypted it, or still holds it). */
export function applicationView(a: ApplicationRow, names: ApplicationNames, applicantName: string): ApplicationView {
  return {
    id: a.id,
    consumerId: a.consumerId,
    status: a.status,
    statusLabel: statusLabels[a.status],
    productId: a.productId,
    productName: names.productName,
    institutionId: a.institutionId,
    institutionName: names.institutionName,
    amountFen: a.amountFen,
    termMonths: a.termMonths,
    purpose: a.purpose,
    applicantNameMasked: maskName(applicantName),
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

/** An event with the label of the status it led to. */
export function withStatusLabel<E extends Pick<ApplicationEvent, 'toStatus'>>(e: E): E & { toLabel: string } {
  return { ...e, toLabel: statusLabels[e.toStatus as ApplicationStatus] ?? e.toStatus };
}
