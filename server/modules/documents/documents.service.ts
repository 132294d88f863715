import { detectFileType } from '../../lib/file-type';
import { sha256Hex } from '../../lib/digest';
import type { SealedBlobStore } from '../../adapters/storage';
import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { ApplicationRejectedError } from '../applications';
import { ConsentWithdrawnError, type ConsentsService } from '../consents';
import { DocumentsRepository, type DocumentRow } from './documents.repository';

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const allowedDocumentTypes = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' } as const;
export const documentKinds = { id_front: '身份证人像面', id_back: '身份证国徽面', income_proof: '收入证明', other: '其他材料' } as const;
export type DocumentKind = keyof typeof documentKinds;
export type { DocumentRow };

/**
 * The checks every upload passes (documents, feedback screenshots): not empty, at most 5 MB, and
 * a type from `allowed` judged by the bytes (magic numbers), never by the name; returns the type.
 */
export async function checkedFileType(bytes: Buffer, allowed: Record<string, string>, allowedText: string, field = 'file'): Promise<string> {
  if (bytes.length === 0) throw new ValidationError('文件为空', { [field]: '请选择文件' });
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new ValidationError('文件过大', { [field]: '文件不能超过 5 MB' });
  const detected = await detectFileType(bytes);
  if (!detected || !(detected.mime in allowed)) throw new ValidationError('文件类型不支持', { [field]: `只支持 ${allowedText}（按文件内容判断，不看扩展名）` });
  return detected.mime;
}

/** How much one application and one account may hold: a number of files and their total size. */
export interface DocumentQuotas {
  perApplication: { files: number; bytes: number };
  perAccount: { files: number; bytes: number };
}
export const defaultDocumentQuotas: DocumentQuotas = {
  perApplication: { files: 20, bytes: 40 * 1024 * 1024 },
  perAccount: { files: 100, bytes: 200 * 1024 * 1024 },
};

/** An upload past a quota: a 409 (what is already stored says no, not the file itself); nothing of it is kept. */
export class DocumentQuotaError extends ConflictError {
  constructor(message: string) {
    super('document_quota_exceeded', message, { file: message });
  }
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;

export interface DocumentsServiceDeps {
  db: Database;
  store: SealedBlobStore;
  consents: ConsentsService;
  audit: AuditService;
  quotas?: DocumentQuotas;
}

/**
 * Documents for an application: the type is judged by the bytes (magic numbers), never by
 * the name; an application and an account hold at most their quota of files and bytes; the
 * bytes are encrypted (AES-256-GCM, a key per file wrapped by the PII cipher) before they
 * reach the store; only the consumer and the receiving institution — while the
 * consent stands — can open them, and every opening is audited.
 */
export class DocumentsService {
  private readonly db: Database;
  private readonly store: SealedBlobStore;
  private readonly consents: ConsentsService;
  private readonly audit: AuditService;
  private readonly quotas: DocumentQuotas;
  private readonly documents: DocumentsRepository;

  constructor({ db, store, consents, audit, quotas = defaultDocumentQuotas }: DocumentsServiceDeps) {
    this.db = db;
    this.store = store;
    this.consents = consents;
    this.audit = audit;
    this.quotas = quotas;
    this.documents = new DocumentsRepository(db);
  }

  /** Refuses a file the application's or the account's quota has no room for. Run under the account's upload lock. */
  private async checkQuota(tx: Tx, consumerId: string, applicationId: string, size: number): Promise<void> {
    const u = await this.documents.usage(consumerId, applicationId, tx);
    const { perApplication, perAccount } = this.quotas;
    if (u.appFiles + 1 > perApplication.files) throw new DocumentQuotaError(`每笔申请最多上传 ${perApplication.files} 个文件，这笔申请已上传 ${u.appFiles} 个`);
    if (u.appBytes + size > perApplication.bytes) throw new DocumentQuotaError(`每笔申请的材料合计不能超过 ${megabytes(perApplication.bytes)}，这笔申请已用 ${megabytes(u.appBytes)}`);
    if (u.files + 1 > perAccount.files) throw new DocumentQuotaError(`每个账号最多上传 ${perAccount.files} 个文件，你已上传 ${u.files} 个`);
    if (u.bytes + size > perAccount.bytes) throw new DocumentQuotaError(`每个账号的材料合计不能超过 ${megabytes(perAccount.bytes)}，你已用 ${megabytes(u.bytes)}`);
  }

  async upload(consumerId: string, applicationId: string, kind: string, bytes: Buffer, actor: AuditActor): Promise<DocumentRow> {
    const application = await this.documents.ownApplication(consumerId, applicationId);
    if (!application) throw new NotFoundError('申请');
    if (application.status === 'rejected') throw new ApplicationRejectedError(application.rejectReason, '上传材料');
    if (!(kind in documentKinds)) throw new ValidationError('材料类型无效', { kind: '请选择材料类型' });
    const mime = await checkedFileType(bytes, allowedDocumentTypes, 'JPG、PNG 图片或 PDF');
    // one upload at a time per account: 25 files sent at once are counted one after another,
    // and a refused one is refused before its bytes are stored
    return withTransaction(this.db, async (tx) => {
      await this.documents.lockUploads(tx, consumerId);
      await this.checkQuota(tx, consumerId, applicationId, bytes.length);
      const storageKey = newId('blob');
      await this.store.put(storageKey, bytes);
      const row = await this.documents.insert(tx, {
          id: newId('doc'),
          consumerId,
          applicationId,
          kind: kind as DocumentKind,
          mime,
          size: bytes.length,
          sha256: sha256Hex(bytes),
          storageKey,
        });
      await this.audit.record(actor, { action: 'document.uploaded', objectType: 'document', objectId: row.id, detail: { applicationId, kind, mime } }, tx);
      return row;
    });
  }

  listForApplication(applicationId: string): Promise<DocumentRow[]> {
    return this.documents.ofApplication(applicationId);
  }

  private read(row: DocumentRow): Promise<Buffer> {
    return this.store.get(row.storageKey);
  }

  /** The consumer opens their own document. */
  async openByConsumer(consumerId: string, documentId: string, actor: AuditActor): Promise<{ row: DocumentRow; bytes: Buffer }> {
    const row = await this.documents.ownedBy(consumerId, documentId);
    if (!row) throw new NotFoundError('材料');
    await this.audit.recordNow(actor, { action: 'document.opened', objectType: 'document', objectId: row.id });
    return { row, bytes: await this.read(row) };
  }

  /** The institution that received the application opens a document: only while the consent stands; a recorded release. */
  async openByInstitution(institutionId: string, documentId: string, actor: AuditActor): Promise<{ row: DocumentRow; bytes: Buffer }> {
    const found = await this.documents.forInstitution(institutionId, documentId);
    if (!found) throw new NotFoundError('材料');
    const consent = found.consentId ? await this.consents.get(found.consentId) : undefined;
    if (!consent || consent.withdrawnAt || !consent.fields.includes('documents')) throw new ConsentWithdrawnError();
    await withTransaction(this.db, async (tx) => {
      await this.consents.release(tx, { consentId: consent.id, channel: 'portal', actorId: actor.id ?? null, fields: ['documents'] });
      await this.audit.record(actor, { action: 'document.opened', objectType: 'document', objectId: found.doc.id }, tx);
    });
    return { row: found.doc, bytes: await this.read(found.doc) };
  }
}
