import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { InstitutionKind } from './institutions.schema';
import { InstitutionsRepository, type ApiKeySummary, type InstitutionRow } from './institutions.repository';

export type Institution = InstitutionRow;

export const institutionKindLabels: Record<InstitutionKind, string> = {
  bank: '银行',
  consumer_finance: '消费金融公司',
  microloan: '小额贷款公司',
  trust: '信托公司',
  other: '其他持牌机构',
};

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface InstitutionsServiceDeps {
  audit: AuditService;
  db: Database;
}

export class InstitutionsService {
  private readonly institutions: InstitutionsRepository;

  constructor(private readonly deps: InstitutionsServiceDeps) {
    this.institutions = new InstitutionsRepository(deps.db);
  }

  async create(input: {
    name: string;
    shortName: string;
    kind: InstitutionKind;
    description?: string;
    unifiedCode?: string;
    licenceType?: string;
    licenceNumber?: string;
    licenceExpiresOn?: string;
  }): Promise<Institution> {
    return withTransaction(this.deps.db, (tx) => this.institutions.insert(tx, { id: newId('ins'), ...input }));
  }

  list(): Promise<Institution[]> {
    return this.institutions.all();
  }

  async get(id: string): Promise<Institution> {
    const row = await this.institutions.byId(id);
    if (!row) throw new NotFoundError('机构');
    return row;
  }

  count(): Promise<number> {
    return this.institutions.count();
  }

  /** Issues an API key; the full key is shown once and only its hash is kept. */
  /** A new API key for the institution, shown once; the key and its audit row commit together. */
  async createApiKey(institutionId: string, name: string, actor: AuditActor): Promise<{ id: string; key: string }> {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const id = newId('key');
    await withTransaction(this.deps.db, async (tx) => {
      await this.institutions.insertApiKey(tx, {
        id,
        institutionId,
        name,
        prefix,
        secretHash: sha256(secret).toString('hex'),
      });
      await this.deps.audit.record(actor, { action: 'api_key.created', objectType: 'api_key', objectId: id }, tx);
    });
    return { id, key: `dck_${prefix}_${secret}` };
  }

  /** The institution an API key belongs to, or undefined for an unknown or revoked key. */
  async verifyApiKey(key: string): Promise<{ institutionId: string; keyId: string } | undefined> {
    const m = /^dck_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(key.trim());
    if (!m) return undefined;
    const row = await this.institutions.liveApiKey(m[1]!);
    if (!row) return undefined;
    const expected = Buffer.from(row.secretHash, 'hex');
    if (!timingSafeEqual(expected, sha256(m[2]!))) return undefined;
    await withTransaction(this.deps.db, (tx) => this.institutions.markApiKeyUsed(tx, row.id));
    return { institutionId: row.institutionId, keyId: row.id };
  }

  listApiKeys(institutionId: string): Promise<ApiKeySummary[]> {
    return this.institutions.apiKeysOf(institutionId);
  }

  /** Revokes one of the institution's own keys; another institution's key is "not found". */
  async revokeApiKey(institutionId: string, keyId: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const revoked = await this.institutions.revokeApiKey(tx, institutionId, keyId);
      if (!revoked && !(await this.institutions.hasApiKey(institutionId, keyId, tx))) throw new NotFoundError('API 密钥');
      await this.deps.audit.record(actor, { action: 'api_key.revoked', objectType: 'api_key', objectId: keyId }, tx);
    });
  }
}
