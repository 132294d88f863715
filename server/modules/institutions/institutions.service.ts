import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { InstitutionKind, PublicProfileFields } from './institutions.schema';
import { approvedFields, checkPublicFields } from './public-profile';
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

/** What an operator may change about an institution: its names and its public information. */
export interface InstitutionDetails extends PublicProfileFields {
  /** the registered (legal) name, unique */
  name: string;
  shortName: string;
}

const detailLimits = { name: { label: '机构全称', min: 2, max: 60 }, shortName: { label: '机构简称', min: 2, max: 20 } } as const;

export interface InstitutionsServiceDeps {
  audit: AuditService;
  db: Database;
  /** the listed catalogue, which shows institutions' names: rebuilt after a name changes */
  catalogue?: { rebuild(): Promise<void> };
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
    regulator?: string;
    servicePhone?: string;
    serviceHours?: string;
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

  /**
   * An operator edits an institution's details with a reason: fields sent are saved (the public
   * information without review: the operator is the reviewer), fields left out keep their value.
   * The audit row keeps each changed field before and after. Another institution's name → 409.
   */
  async editDetails(id: string, changes: Partial<InstitutionDetails>, reason: string, actor: AuditActor): Promise<Institution> {
    const why = reason.trim();
    const problems: FieldErrors = {};
    if (why.length < 2 || why.length > 200) problems.reason = '请填写 2–200 字的修改原因';
    const current = await this.get(id);
    const merged = { name: current.name, shortName: current.shortName, ...approvedFields(current), ...changes };
    for (const [key, { label, min, max }] of Object.entries(detailLimits) as [keyof typeof detailLimits, (typeof detailLimits)[keyof typeof detailLimits]][]) {
      merged[key] = merged[key].trim();
      const length = [...merged[key]].length;
      if (length < min || length > max) problems[key] = `${label}须为 ${min}–${max} 字`;
    }
    let publicFields: PublicProfileFields = merged;
    try {
      publicFields = checkPublicFields(merged, false);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      Object.assign(problems, err.fields);
    }
    if (Object.keys(problems).length > 0) throw new ValidationError('机构信息有误', problems);
    const after: InstitutionDetails = { ...publicFields, name: merged.name, shortName: merged.shortName };
    const updated = await withTransaction(this.deps.db, async (tx) => {
      const locked = (await this.institutions.lock(tx, id))!;
      const before: InstitutionDetails = { name: locked.name, shortName: locked.shortName, ...approvedFields(locked) };
      const changed = (Object.keys(after) as (keyof InstitutionDetails)[]).filter((k) => before[k] !== after[k]);
      if (changed.length === 0) throw new ConflictError('unchanged', '没有需要保存的修改');
      const pick = (from: InstitutionDetails) => Object.fromEntries(changed.map((k) => [k, from[k]]));
      await this.institutions.update(tx, id, { ...after, regulator: after.regulator || null, servicePhone: after.servicePhone || null, serviceHours: after.serviceHours || null });
      await this.deps.audit.record(actor, { action: 'institution.details_edited', objectType: 'institution', objectId: id, detail: { reason: why, before: pick(before), after: pick(after) } }, tx);
      return { row: (await this.institutions.lock(tx, id))!, renamed: changed.includes('name') || changed.includes('shortName') };
    }).catch((err: unknown) => {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('institution_exists', '已有同名机构', { name: '已有机构使用这个全称' });
      throw err;
    });
    if (updated.renamed) await this.deps.catalogue?.rebuild();
    return updated.row;
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
