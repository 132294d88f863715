import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../lib/digest';
import { detectFileType } from '../../lib/file-type';
import type { SealedBlobStore } from '../../adapters/storage';
import { sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskLogin, maskName, maskPhone, type PiiCipher } from '../../lib/pii';
import { shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import type { StaffService } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { NotificationsService } from '../notifications';
import type { InstitutionKind, OnboardingContact, OnboardingStatus } from './institutions.schema';
import { InstitutionsRepository, type OnboardingMessageRow, type OnboardingRow } from './institutions.repository';
import { normaliseUnifiedCode, unifiedCodeProblem } from './unified-code';
import type { Clock } from '../../lib/clock';

export const MAX_LICENCE_BYTES = 5 * 1024 * 1024;
const licenceTypes = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' } as const;

export const onboardingStatusLabels: Record<OnboardingStatus, string> = {
  submitted: '待审核',
  more_info_requested: '待补充材料',
  approved: '已通过',
  rejected: '未通过',
};

export type Onboarding = OnboardingRow;
export type OnboardingMessage = OnboardingMessageRow;

export interface OnboardingInput {
  legalName: string;
  shortName: string;
  kind: InstitutionKind;
  unifiedCode: string;
  licenceType: string;
  licenceNumber: string;
  /** YYYY-MM-DD, the licence's last valid day */
  licenceExpiresOn: string;
  contacts: { name: string; title: string; phone: string; email: string }[];
  adminUsername: string;
}

/** A contact person sealed for storage: name, phone and e-mail encrypted, each with the masked form screens show. */
export function sealContact(pii: PiiCipher, c: { name: string; title: string; phone: string; email: string }): OnboardingContact {
  return {
    nameEnc: pii.encrypt(c.name),
    nameMasked: maskName(c.name),
    title: c.title,
    phoneEnc: pii.encrypt(c.phone),
    phoneMasked: maskPhone(c.phone),
    emailEnc: pii.encrypt(c.email),
    emailMasked: c.email ? maskLogin(c.email) : '',
  };
}

export interface OnboardingServiceDeps {
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  blobs: SealedBlobStore;
  staff: StaffService;
  notifications: NotificationsService;
  audit: AuditService;
  /** PUBLIC_URL: the activation link texted to the applicant is built from it */
  publicUrl: string;
}

/**
 * An institution applies to join: the request is reviewed by operators, who may ask for more;
 * approval creates the institution and invites its first admin.
 */
export class OnboardingService {
  /** PUBLIC_URL: the activation link texted to the applicant is built from it */

  private readonly institutions: InstitutionsRepository;

  constructor(private readonly deps: OnboardingServiceDeps) {
    this.institutions = new InstitutionsRepository(deps.db);
  }

  /** Files a request; returns the secret tracking token (only its hash is kept). */
  async submit(input: OnboardingInput, licence: Buffer | undefined, now = this.deps.clock.now()): Promise<{ onboarding: Onboarding; token: string }> {
    const fields: Record<string, string> = {};
    const code = normaliseUnifiedCode(input.unifiedCode);
    const codeProblem = unifiedCodeProblem(code);
    if (codeProblem) fields.unifiedCode = codeProblem;
    if (input.licenceExpiresOn <= shanghaiDate(now)) fields.licenceExpiresOn = '牌照已过期或今日到期，无法申请入驻';
    if (!licence || licence.length === 0) fields.licence = '请上传牌照扫描件';
    else if (licence.length > MAX_LICENCE_BYTES) fields.licence = '文件不能超过 5 MB';
    const detected = licence?.length ? await detectFileType(licence) : undefined;
    if (licence?.length && (!detected || !(detected.mime in licenceTypes))) fields.licence = '只支持 JPG、PNG 图片或 PDF（按文件内容判断）';
    if (!/^[a-z][a-z0-9._-]{2,31}$/.test(input.adminUsername.trim().toLowerCase())) fields.adminUsername = '用户名为 3–32 位小写字母、数字或 . _ -，以字母开头';
    if (Object.keys(fields).length) throw new ValidationError('入驻申请信息有误', fields);

    if (await this.institutions.unifiedCodeTaken(code)) throw new ConflictError('already_joined', '该统一社会信用代码的机构已入驻', { unifiedCode: '该机构已入驻平台' });

    const id = newId('onb');
    const token = randomBytes(24).toString('base64url');
    const fileKey = newId('blob');
    await this.deps.blobs.put(fileKey, licence!);
    const contacts = input.contacts.map((c) => sealContact(this.deps.pii, { name: c.name.trim(), title: c.title.trim(), phone: c.phone, email: c.email.trim() }));
    try {
      const row = await withTransaction(this.deps.db, async (tx) => {
        const inserted = await this.institutions.insertOnboarding(tx, {
            id,
            tokenHash: sha256Hex(token),
            legalName: input.legalName.trim(),
            shortName: input.shortName.trim(),
            kind: input.kind,
            unifiedCode: code,
            licenceType: input.licenceType.trim(),
            licenceNumber: input.licenceNumber.trim(),
            licenceExpiresOn: input.licenceExpiresOn,
            licenceFileKey: fileKey,
            licenceFileType: detected!.mime,
            contacts,
            adminUsername: input.adminUsername.trim().toLowerCase(),
          });
        await this.institutions.insertMessage(tx, { id: newId('onm'), onboardingId: id, author: 'system', body: '入驻申请已提交，等待平台审核。' });
        await this.deps.audit.record({ kind: 'anonymous' }, { action: 'onboarding.submitted', objectType: 'onboarding', objectId: id }, tx);
        return inserted;
      });
      return { onboarding: row, token };
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('pending', '该机构已有审核中的入驻申请', { unifiedCode: '该机构已有审核中的入驻申请' });
      throw err;
    }
  }

  async byToken(token: string): Promise<{ onboarding: Onboarding; messages: OnboardingMessage[] }> {
    const row = await this.institutions.onboardingByTokenHash(sha256Hex(token));
    if (!row) throw new NotFoundError('入驻申请');
    return { onboarding: row, messages: await this.messages(row.id) };
  }

  private messages(onboardingId: string): Promise<OnboardingMessage[]> {
    return this.institutions.messages(onboardingId);
  }

  /** The applicant answers the operators' questions; the request goes back into the queue. */
  async reply(token: string, body: string): Promise<void> {
    const text = body.trim();
    if (text.length < 2 || text.length > 2000) throw new ValidationError('请填写回复', { body: '请填写 2–2000 字的回复' });
    const { onboarding } = await this.byToken(token);
    if (onboarding.status === 'approved' || onboarding.status === 'rejected') throw new ConflictError('decided', '申请已有结果，无法再回复');
    await withTransaction(this.deps.db, async (tx) => {
      await this.institutions.insertMessage(tx, { id: newId('onm'), onboardingId: onboarding.id, author: 'applicant', body: text });
      await this.institutions.updateOnboarding(tx, onboarding.id, { status: 'submitted', updatedAt: this.deps.clock.now() });
    });
  }

  /** The review queue: open requests first (oldest first), then decided ones. */
  async list(status?: OnboardingStatus): Promise<Onboarding[]> {
    const rows = await this.institutions.onboardings(status);
    const open = (s: string) => (s === 'submitted' || s === 'more_info_requested' ? 0 : 1);
    return rows.sort((a, b) => open(a.status) - open(b.status) || (open(a.status) === 0 ? a.createdAt.getTime() - b.createdAt.getTime() : 0));
  }

  countOpen(): Promise<number> {
    return this.institutions.countOnboardings('submitted');
  }

  async getForOperator(id: string, actor: AuditActor): Promise<{ onboarding: Onboarding; messages: OnboardingMessage[] }> {
    const row = await this.institutions.onboardingById(id);
    if (!row) throw new NotFoundError('入驻申请');
    await this.deps.audit.recordNow(actor, { action: 'onboarding.viewed', objectType: 'onboarding', objectId: id });
    return { onboarding: row, messages: await this.messages(id) };
  }

  async licenceFile(id: string, actor: AuditActor): Promise<{ bytes: Buffer; mime: string }> {
    const row = await this.institutions.onboardingById(id);
    if (!row) throw new NotFoundError('入驻申请');
    await this.deps.audit.recordNow(actor, { action: 'onboarding.licence_opened', objectType: 'onboarding', objectId: id });
    return { bytes: await this.deps.blobs.get(row.licenceFileKey), mime: row.licenceFileType };
  }

  private async openForDecision(tx: Tx, id: string): Promise<Onboarding> {
    const row = await this.institutions.lockOnboarding(tx, id);
    if (!row) throw new NotFoundError('入驻申请');
    if (row.status === 'approved' || row.status === 'rejected') throw new ConflictError('decided', '该申请已有结果');
    return row;
  }

  async requestInfo(id: string, question: string, actor: AuditActor): Promise<void> {
    const text = question.trim();
    if (text.length < 2 || text.length > 2000) throw new ValidationError('请填写需要补充的内容', { body: '请填写 2–2000 字' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.openForDecision(tx, id);
      await this.institutions.insertMessage(tx, { id: newId('onm'), onboardingId: id, author: 'operator', authorId: actor.id ?? null, body: text });
      await this.institutions.updateOnboarding(tx, id, { status: 'more_info_requested', updatedAt: this.deps.clock.now() });
      await this.deps.audit.record(actor, { action: 'onboarding.info_requested', objectType: 'onboarding', objectId: id }, tx);
    });
  }

  async reject(id: string, reason: string, actor: AuditActor): Promise<void> {
    const text = reason.trim();
    if (text.length < 2 || text.length > 2000) throw new ValidationError('请填写原因', { body: '请填写 2–2000 字的原因' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.openForDecision(tx, id);
      await this.institutions.insertMessage(tx, { id: newId('onm'), onboardingId: id, author: 'operator', authorId: actor.id ?? null, body: `未通过：${text}` });
      await this.institutions.updateOnboarding(tx, id, { status: 'rejected', reviewedBy: actor.id ?? null, decidedAt: this.deps.clock.now(), updatedAt: this.deps.clock.now() });
      await this.deps.audit.record(actor, { action: 'onboarding.rejected', objectType: 'onboarding', objectId: id, detail: { reason: text } }, tx);
    });
  }

  /**
   * Approves: creates the institution with its licence, invites the first admin (the link is
   * texted to the first contact and shown on the applicant's tracking page), all or nothing.
   */
  async approve(id: string, actor: AuditActor): Promise<{ institutionId: string; inviteToken: string }> {
    const result = await withTransaction(this.deps.db, async (tx) => {
      const row = await this.openForDecision(tx, id);
      const institutionId = newId('ins');
      try {
        await this.institutions.insert(tx, {
          id: institutionId,
          name: row.legalName,
          shortName: row.shortName,
          kind: row.kind,
          unifiedCode: row.unifiedCode,
          licenceType: row.licenceType,
          licenceNumber: row.licenceNumber,
          licenceExpiresOn: row.licenceExpiresOn,
        });
      } catch (err) {
        if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('institution_exists', '同名或同代码的机构已存在');
        throw err;
      }
      const first = row.contacts[0]!;
      const { token } = await this.deps.staff.invite({ kind: 'institution', institutionId, username: row.adminUsername, displayName: this.deps.pii.decrypt(first.nameEnc), role: 'admin' }, actor, tx);
      await this.institutions.insertMessage(tx, {
        id: newId('onm'),
        onboardingId: id,
        author: 'system',
        body: `入驻申请已通过。管理员账号 ${row.adminUsername} 的激活链接已发送至 ${first.phoneMasked}，也可在本页打开。`,
      });
      await this.institutions.updateOnboarding(tx, id, { status: 'approved', institutionId, inviteTokenEnc: this.deps.pii.encrypt(token), reviewedBy: actor.id ?? null, decidedAt: this.deps.clock.now(), updatedAt: this.deps.clock.now() });
      await this.deps.audit.record(actor, { action: 'onboarding.approved', objectType: 'onboarding', objectId: id, detail: { institutionId } }, tx);
      return { institutionId, inviteToken: token, phone: this.deps.pii.decrypt(first.phoneEnc) };
    });
    // the activation link is a credential: a real gateway's outbox row keeps it masked
    await this.deps.notifications.sendSms(result.phone, 'onboarding_approved', `【贷超】贵机构入驻申请已通过，请在 7 天内激活管理员账号：${this.deps.publicUrl}/partner/invite/${result.inviteToken}`, {
      secrets: [result.inviteToken],
    });
    return { institutionId: result.institutionId, inviteToken: result.inviteToken };
  }

  /** The first admin's invitation link for the applicant's tracking page, while it is unused. */
  async pendingInviteToken(onboarding: Onboarding): Promise<string | undefined> {
    if (onboarding.status !== 'approved' || !onboarding.inviteTokenEnc) return undefined;
    const token = this.deps.pii.decrypt(onboarding.inviteTokenEnc);
    try {
      await this.deps.staff.pendingInvitation('institution', token);
      return token;
    } catch {
      return undefined;
    }
  }
}

