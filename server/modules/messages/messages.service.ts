import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AccountsService } from '../accounts';
import { applications } from '../applications/applications.schema';
import { ApplicationRejectedError } from '../applications';
import type { ConsentsService } from '../consents';
import type { NotificationsService } from '../notifications';
import { leadMessages } from './messages.schema';

export type LeadMessage = typeof leadMessages.$inferSelect;

export class ContactRefusedError extends ForbiddenError {
  constructor(message: string) {
    super(message, 'contact_refused');
  }
}

export interface MessagesServiceDeps {
  db: Database;
  consents: ConsentsService;
  accounts: AccountsService;
  notifications: NotificationsService;
}

/**
 * The in-app thread on a lead. An institution may write only while the consumer's consent
 * stands and they have not asked it to stop contacting them; the consumer is notified in-app.
 */
export class MessagesService {
  constructor(private readonly deps: MessagesServiceDeps) {}

  private async application(where: ReturnType<typeof and>) {
    const [row] = await this.deps.db
      .select({
        id: applications.id,
        consumerId: applications.consumerId,
        institutionId: applications.institutionId,
        consentId: applications.consentId,
        status: applications.status,
        rejectReason: applications.rejectReason,
      })
      .from(applications)
      .where(where);
    return row;
  }

  private static clean(body: string): string {
    const text = body.trim();
    if (text.length === 0) throw new ValidationError('消息不能为空', { body: '请输入内容' });
    if (text.length > 1000) throw new ValidationError('消息过长', { body: '最多 1000 字' });
    return text;
  }

  async postByInstitution(institutionId: string, applicationId: string, staffId: string, body: string): Promise<LeadMessage> {
    const app = await this.application(and(eq(applications.id, applicationId), eq(applications.institutionId, institutionId)));
    if (!app) throw new NotFoundError('线索');
    const consent = app.consentId ? await this.deps.consents.get(app.consentId) : undefined;
    if (!consent || consent.withdrawnAt) throw new ContactRefusedError('用户已撤回授权，不能再联系');
    const prefs = await this.deps.accounts.contactPreferences(app.consumerId);
    if (prefs.blockedInstitutionIds.includes(institutionId)) throw new ContactRefusedError('用户已要求贵机构不再联系');
    const text = MessagesService.clean(body);
    const [row] = await this.deps.db.insert(leadMessages).values({ id: newId('msg'), applicationId, senderKind: 'institution', senderId: staffId, body: text }).returning();
    await this.deps.notifications.notify(app.consumerId, { kind: 'message', title: '机构给你发来消息', body: text.slice(0, 100), link: `/applications/${applicationId}#messages` });
    return row!;
  }

  async postByConsumer(consumerId: string, applicationId: string, body: string): Promise<LeadMessage> {
    const app = await this.application(and(eq(applications.id, applicationId), eq(applications.consumerId, consumerId)));
    if (!app) throw new NotFoundError('申请');
    if (app.status === 'rejected') throw new ApplicationRejectedError(app.rejectReason, '给机构发消息');
    const text = MessagesService.clean(body);
    const [row] = await this.deps.db.insert(leadMessages).values({ id: newId('msg'), applicationId, senderKind: 'consumer', senderId: consumerId, body: text }).returning();
    return row!;
  }

  /** The thread; callers check the reader may see the application first. */
  async thread(applicationId: string): Promise<LeadMessage[]> {
    return this.deps.db.select().from(leadMessages).where(eq(leadMessages.applicationId, applicationId)).orderBy(asc(leadMessages.createdAt));
  }
}
