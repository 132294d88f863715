import { and, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client';
import { applicationEvents, applications } from '../applications/applications.schema';
import { consumerIdentities } from '../identity/identity.schema';
import { loans } from '../loans/loans.schema';
import { channelAttributions } from './channels.schema';

/** What an attributed borrower does that a channel hears about (postbacks) and may be paid for. */
export const conversionKinds = ['registration', 'verified_registration', 'application', 'approval', 'disbursement'] as const;
export type ConversionKind = (typeof conversionKinds)[number];
export const conversionKindLabels: Record<ConversionKind, string> = {
  registration: '注册',
  verified_registration: '实名注册',
  application: '申请',
  approval: '批核',
  disbursement: '放款',
};

/**
 * One conversion of an attributed borrower. `sourceId` with `kind` names the source event once:
 * the account (registration, verified registration) or the application (application, approval,
 * disbursement); a consumer that pays per event keys its rows by `${kind}:${sourceId}` so each
 * event counts once however often it is read.
 */
export interface Conversion {
  kind: ConversionKind;
  sourceId: string;
  accountId: string;
  channelId: string;
  subId: string;
  clickId: string;
  at: Date;
  /** the application's amount (application), the loan's principal (disbursement), else null */
  amountFen: number | null;
  applicationId: string | null;
}

export interface ConversionFilter {
  from: Date;
  to: Date;
  channelId?: string;
}

const attributed = {
  accountId: channelAttributions.accountId,
  channelId: channelAttributions.channelId,
  subId: channelAttributions.subId,
  clickId: channelAttributions.clickId,
};
const inRange = (column: AnyPgColumn, f: ConversionFilter): SQL => {
  const range = and(gte(column, f.from), lt(column, f.to))!;
  return f.channelId ? and(range, eq(channelAttributions.channelId, f.channelId))! : range;
};

/**
 * The conversions of attributed borrowers whose event time falls in [from, to), oldest first,
 * read from where each event is recorded (the attribution, the identity, the application, its
 * approval event, the loan): nothing is written twice to know them. Read-only.
 */
export async function conversionsBetween(db: Database, f: ConversionFilter): Promise<Conversion[]> {
  const [registrations, verified, applied, approved, disbursed] = await Promise.all([
    db
      .select({ ...attributed, at: channelAttributions.attributedAt })
      .from(channelAttributions)
      .where(inRange(channelAttributions.attributedAt, f)),
    db
      .select({ ...attributed, at: consumerIdentities.verifiedAt })
      .from(channelAttributions)
      .innerJoin(consumerIdentities, eq(consumerIdentities.accountId, channelAttributions.accountId))
      .where(inRange(consumerIdentities.verifiedAt, f)),
    db
      .select({ ...attributed, at: applications.createdAt, applicationId: applications.id, amountFen: applications.amountFen })
      .from(applications)
      .innerJoin(channelAttributions, eq(channelAttributions.accountId, applications.consumerId))
      .where(inRange(applications.createdAt, f)),
    db
      .select({ ...attributed, at: applicationEvents.createdAt, applicationId: applications.id })
      .from(applicationEvents)
      .innerJoin(applications, eq(applications.id, applicationEvents.applicationId))
      .innerJoin(channelAttributions, eq(channelAttributions.accountId, applications.consumerId))
      .where(and(eq(applicationEvents.toStatus, 'approved'), inRange(applicationEvents.createdAt, f))),
    db
      .select({ ...attributed, at: loans.disbursedAt, applicationId: loans.applicationId, amountFen: loans.principalFen })
      .from(loans)
      .innerJoin(applications, eq(applications.id, loans.applicationId))
      .innerJoin(channelAttributions, eq(channelAttributions.accountId, applications.consumerId))
      .where(inRange(loans.disbursedAt, f)),
  ]);
  const out: Conversion[] = [
    ...registrations.map((r) => ({ ...r, kind: 'registration' as const, sourceId: r.accountId, amountFen: null, applicationId: null })),
    ...verified.map((r) => ({ ...r, kind: 'verified_registration' as const, sourceId: r.accountId, amountFen: null, applicationId: null })),
    ...applied.map((r) => ({ ...r, kind: 'application' as const, sourceId: r.applicationId })),
    ...approved.map((r) => ({ ...r, kind: 'approval' as const, sourceId: r.applicationId, amountFen: null })),
    ...disbursed.map((r) => ({ ...r, kind: 'disbursement' as const, sourceId: r.applicationId })),
  ];
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.kind.localeCompare(b.kind) || a.sourceId.localeCompare(b.sourceId));
}
