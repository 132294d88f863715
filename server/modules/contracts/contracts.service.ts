import type { SealedBlobStore } from '../../adapters/storage';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { sha256Hex } from '../../lib/digest';
import { formatRate, formatYuan } from '../../lib/money';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService, RequestOrigin } from '../audit';
import { chainHash, GENESIS_CHAIN_HASH, type EvidenceFacts } from './chain';
import { renderContractPdf } from './contract-pdf';
import { ContractsRepository } from './contracts.repository';
import {
  contractKindLabels,
  type AgreementKind,
  type ContractKind,
  type ContractRow,
  type ContractTemplate,
  type EvidenceRow,
  type VerifyAllResult,
  type VerifyFailure,
  type VerifyResult,
} from './contracts.types';
import { defaultTemplates, loanContractVariables } from './default-templates';
import { renderTemplate, templateVariables } from './template-text';

const PLATFORM = 'platform';
const PLATFORM_NAME = '贷超平台运营方';

export interface SignInput {
  kind: ContractKind;
  institutionId: string | null;
  consumerId?: string | null;
  signerAccountId: string;
  variables: Record<string, string>;
  /** the caller checked an SMS code before calling */
  smsConfirmed: boolean;
  origin: RequestOrigin;
  /** what was signed for: an offer, an application, an agreement version */
  subjectId?: string | null;
  /** the signer's name as printed in the signature block (default: the borrowerName variable, else the account) */
  signerName?: string;
  /**
   * When the person agreed, if earlier than the rendering (a 个人信息授权书 is agreed on the consent
   * screen and rendered by the `authorization-letters` ticker afterwards); default now.
   */
  agreedAt?: Date;
}

/** How the signature was given, as the PDF's signature block says it. */
function signingMethodText(input: SignInput): string {
  if (input.smsConfirmed) return '电子签署，已通过短信验证码确认';
  if (input.kind === 'authorization') return '电子签署：授权人在登录状态下于授权页面逐家勾选同意（未使用短信验证码）';
  return '电子签署（未经短信验证码确认）';
}

/** Terms drawn as a table before the body when the variable is present. */
const termLabels: Record<string, string> = {
  amount: '借款金额',
  term: '借款期限',
  repaymentMethod: '还款方式',
  apr: '年化利率（综合）',
  firstRepayment: '首期应还',
  totalRepayment: '应还总额',
  cpl: 'CPL',
  cpa: 'CPA',
  cpsRate: 'CPS',
};

const shanghaiTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** The commission terms a 合作协议 is generated from (server/modules/settlement agreements). */
export interface CooperationTerms {
  id: string;
  version: number;
  cplFen: number;
  cpaFen: number;
  cpsRate: string;
  reversalWindowDays: number;
  effectiveFrom: Date;
}

export interface ContractsServiceDeps {
  db: Database;
  store: SealedBlobStore;
  audit: AuditService;
  clock: Clock;
  /** the institution's commission agreement in force (settlement); the 合作协议 is generated from it */
  agreementInForce?: (institutionId: string, at: Date) => Promise<CooperationTerms | undefined>;
}

export type ContractListItem = ContractRow & { institutionName: string | null; kindLabel: string };

/**
 * Contracts: versioned templates with `{{variables}}`, signing (render to PDF, store encrypted,
 * record evidence in one hash chain) and verification. The SMS code is checked by the caller;
 * this module records `smsConfirmed` as given. Registration agreements (用户协议, 隐私政策) are
 * recorded per account and version.
 */
export class ContractsService {
  private readonly repo: ContractsRepository;
  private defaultsReady: Promise<void> | undefined;
  private versionsCache: { key: string; until: number } | undefined;

  constructor(private readonly deps: ContractsServiceDeps) {
    this.repo = new ContractsRepository(deps.db);
  }

  /** Inserts the platform's first version of each template when missing (idempotent, safe under concurrency); once per instance. */
  ensureDefaults(): Promise<void> {
    this.defaultsReady ??= (async () => {
      for (const kind of Object.keys(defaultTemplates) as ContractKind[]) await this.insertDefault(kind, this.deps.db);
    })().catch((e: unknown) => {
      this.defaultsReady = undefined;
      throw e;
    });
    return this.defaultsReady;
  }

  private async insertDefault(kind: ContractKind, db: Database): Promise<void> {
    const t = defaultTemplates[kind];
    await this.repo.insertTemplateIfAbsent(
      { id: `ctpl_default_${kind}`, kind, institutionId: null, scope: PLATFORM, version: 1, title: t.title, body: t.body, status: 'approved', approvedAt: new Date(0) },
      db,
    );
  }

  // ── templates ─────────────────────────────────────────────────────────────
  /** The template a signature of this kind uses now: the institution's approved 借款合同 if it has one, else the platform's. */
  async currentTemplate(kind: ContractKind, institutionId: string | null = null, db: Database = this.deps.db): Promise<ContractTemplate> {
    if (institutionId && kind === 'loan_contract') {
      const own = await this.repo.approvedTemplate(kind, institutionId, db);
      if (own) return own;
    }
    const platform = await this.repo.approvedTemplate(kind, PLATFORM, db);
    if (platform) return platform;
    // first use: the default version, inserted on the same connection (a caller's transaction included)
    await this.insertDefault(kind, db);
    const inserted = await this.repo.approvedTemplate(kind, PLATFORM, db);
    if (!inserted) throw new NotFoundError('合同模板');
    return inserted;
  }

  async listTemplates(filter: { institutionId?: string; status?: ContractTemplate['status'] } = {}) {
    await this.ensureDefaults();
    return (await this.repo.listTemplates({ scope: filter.institutionId, status: filter.status })).map((t) => ({ ...t, kindLabel: contractKindLabels[t.kind] }));
  }

  async template(id: string): Promise<ContractTemplate> {
    const t = await this.repo.templateById(id);
    if (!t) throw new NotFoundError('合同模板');
    return t;
  }

  /** An institution saves its 借款合同 template: a new version, submitted for the operators' review. */
  async submitLoanContractTemplate(institutionId: string, input: { title: string; body: string }, actor: AuditActor): Promise<ContractTemplate> {
    const title = input.title.trim();
    const body = input.body.trim();
    const fields: Record<string, string> = {};
    if (title.length < 2 || title.length > 60) fields.title = '标题 2–60 个字';
    if (body.length < 50 || body.length > 20000) fields.body = '正文 50–20000 个字';
    const unknown = templateVariables(body).filter((v) => !(loanContractVariables as readonly string[]).includes(v));
    if (unknown.length > 0) fields.body = `不支持的变量：${unknown.join('、')}；可用：${loanContractVariables.join('、')}`;
    for (const need of ['amount', 'apr', 'term', 'totalRepayment']) {
      if (!fields.body && !templateVariables(body).includes(need)) fields.body = `正文必须包含 {{${need}}}，借款人才能看到确切条款`;
    }
    if (Object.keys(fields).length > 0) throw new ValidationError('借款合同模板有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const version = await this.repo.nextVersion(tx, 'loan_contract', institutionId);
      const row = await this.repo.insertTemplate(tx, {
        id: newId('ctpl'),
        kind: 'loan_contract',
        institutionId,
        scope: institutionId,
        version,
        title,
        body,
        status: 'pending_review',
        createdBy: actor.id ?? null,
        createdAt: this.deps.clock.now(),
      });
      await this.deps.audit.record(actor, { action: 'contract_template.submitted', objectType: 'contract_template', objectId: row.id, detail: { version } }, tx);
      return row;
    });
  }

  /** An operator approves (it becomes the institution's 借款合同 in force) or returns an institution's template with a note. */
  async reviewTemplate(templateId: string, decision: 'approve' | 'reject', note: string, actor: AuditActor): Promise<ContractTemplate> {
    if (decision === 'reject' && note.trim().length === 0) throw new ValidationError('请填写退回原因', { note: '退回时请说明原因' });
    return withTransaction(this.deps.db, async (tx) => {
      const t = await this.repo.templateById(templateId, tx);
      if (!t) throw new NotFoundError('合同模板');
      if (t.status !== 'pending_review') throw new ConflictError('decided', '这个模板不在待审核状态');
      const now = this.deps.clock.now();
      if (decision === 'approve') {
        await this.repo.setTemplateReview(tx, t.id, { status: 'approved', reviewNote: note.trim(), reviewedBy: actor.id ?? null, approvedAt: now });
        await this.repo.retireOthers(tx, t.kind, t.scope, t.id);
      } else {
        await this.repo.setTemplateReview(tx, t.id, { status: 'rejected', reviewNote: note.trim(), reviewedBy: actor.id ?? null });
      }
      await this.deps.audit.record(
        actor,
        { action: decision === 'approve' ? 'contract_template.approved' : 'contract_template.rejected', objectType: 'contract_template', objectId: t.id, detail: { note: note.trim() } },
        tx,
      );
      return (await this.repo.templateById(t.id, tx))!;
    });
  }

  /** An operator publishes a new version of a platform template; it is in force at once (用户协议/隐私政策: everyone is asked again). */
  async publishPlatformTemplate(kind: ContractKind, input: { title: string; body: string; changes: string }, actor: AuditActor): Promise<ContractTemplate> {
    await this.ensureDefaults();
    const fields: Record<string, string> = {};
    if (input.title.trim().length < 2) fields.title = '请填写标题';
    if (input.body.trim().length < 20) fields.body = '正文至少 20 个字';
    if (input.changes.trim().length < 2) fields.changes = '请说明这一版改了什么';
    if (Object.keys(fields).length > 0) throw new ValidationError('模板有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const version = await this.repo.nextVersion(tx, kind, PLATFORM);
      const row = await this.repo.insertTemplate(tx, {
        id: newId('ctpl'),
        kind,
        institutionId: null,
        scope: PLATFORM,
        version,
        title: input.title.trim(),
        body: input.body.trim(),
        changes: input.changes.trim(),
        status: 'approved',
        createdBy: actor.id ?? null,
        reviewedBy: actor.id ?? null,
        approvedAt: this.deps.clock.now(),
        createdAt: this.deps.clock.now(),
      });
      await this.repo.retireOthers(tx, kind, PLATFORM, row.id);
      this.versionsCache = undefined;
      await this.deps.audit.record(actor, { action: 'contract_template.published', objectType: 'contract_template', objectId: row.id, detail: { kind, version } }, tx);
      return row;
    });
  }

  // ── signing ───────────────────────────────────────────────────────────────
  /**
   * Signs a contract: renders the kind's current approved template with the variables into a PDF,
   * stores it encrypted, and appends its evidence to the chain, in the caller's transaction when
   * given (the PDF bytes are stored first; a rolled-back signature leaves an unreferenced blob).
   */
  async sign(input: SignInput, tx?: Tx): Promise<{ id: string; sha256: string }> {
    const work = async (t: Tx) => {
      const template = await this.currentTemplate(input.kind, input.institutionId, t);
      const text = renderTemplate(template.body, input.variables);
      const now = input.agreedAt ?? this.deps.clock.now();
      const id = newId('ctr');
      const institution = input.institutionId ? await this.repo.institutionName(input.institutionId, t) : undefined;
      if (input.institutionId && !institution) throw new NotFoundError('机构');
      const parties = [];
      if (input.kind === 'cooperation') {
        parties.push({ role: '甲方', name: PLATFORM_NAME }, { role: '乙方', name: institution!.name });
      } else {
        if (input.consumerId || input.variables.borrowerName) parties.push({ role: input.kind === 'loan_contract' ? '借款人' : '用户', name: input.variables.borrowerName ?? `账号 ${input.signerAccountId}` });
        if (institution) parties.push({ role: input.kind === 'loan_contract' ? '贷款人' : '被授权机构', name: institution.name });
        parties.push({ role: '平台', name: PLATFORM_NAME });
      }
      const terms = Object.entries(termLabels)
        .filter(([k]) => input.variables[k] !== undefined)
        .map(([k, label]) => ({ label, value: input.variables[k]! }));
      const ip = input.origin.actor.ip ?? '';
      const pdf = await renderContractPdf({
        title: template.title,
        text,
        parties,
        terms,
        templateLabel: `${contractKindLabels[input.kind]}模板第 ${template.version} 版`,
        signer: input.signerName ?? input.variables.borrowerName ?? `账号 ${input.signerAccountId}`,
        signedAtText: shanghaiTime.format(now),
        methodText: signingMethodText(input),
        ip: ip || '—',
        textSha256: sha256Hex(text),
        contractId: id,
        createdAt: now,
      });
      const sha256 = sha256Hex(pdf);
      const storageKey = newId('blob');
      await this.deps.store.put(storageKey, pdf);
      const contract = await this.repo.insertContract(t, {
        id,
        kind: input.kind,
        title: template.title,
        templateId: template.id,
        templateVersion: template.version,
        institutionId: input.institutionId,
        consumerId: input.consumerId ?? null,
        subjectId: input.subjectId ?? null,
        signerAccountId: input.signerAccountId,
        sha256,
        size: pdf.length,
        storageKey,
        signedAt: now,
      });
      const head = await this.repo.lockChainHead(t);
      const prev = head?.chainHash ?? GENESIS_CHAIN_HASH;
      const evidence = { signerAccountId: input.signerAccountId, signedAt: now, ip, deviceHash: input.origin.device, door: input.origin.door, smsConfirmed: input.smsConfirmed };
      await this.repo.insertEvidence(t, {
        contractId: id,
        ...evidence,
        documentSha256: sha256,
        templateId: template.id,
        templateVersion: template.version,
        prevChainHash: prev,
        chainHash: chainHash(prev, factsOf(contract, { ...evidence, documentSha256: sha256, templateId: template.id, templateVersion: template.version })),
      });
      await this.deps.audit.record(input.origin.actor, { action: 'contract.signed', objectType: 'contract', objectId: id, detail: { kind: input.kind, templateVersion: template.version, smsConfirmed: input.smsConfirmed } }, t);
      return { id, sha256 };
    };
    return tx ? withTransaction(tx, work) : withTransaction(this.deps.db, work);
  }

  // ── reading ───────────────────────────────────────────────────────────────
  async listForConsumer(consumerId: string): Promise<ContractListItem[]> {
    return (await this.repo.contractsWhere({ consumerId })).map(withKindLabel);
  }

  async listForInstitution(institutionId: string): Promise<ContractListItem[]> {
    return (await this.repo.contractsWhere({ institutionId })).map(withKindLabel);
  }

  async recent(limit = 100): Promise<ContractListItem[]> {
    return (await this.repo.recentContracts(limit)).map(withKindLabel);
  }

  async contract(id: string): Promise<ContractRow> {
    const row = await this.repo.contractById(id);
    if (!row) throw new NotFoundError('合同');
    return row;
  }

  /** The borrower's own contract's PDF; another's is a NotFoundError (no hint that it exists). */
  async pdfForConsumer(consumerId: string, contractId: string, actor?: AuditActor): Promise<Buffer> {
    const row = await this.repo.contractById(contractId);
    if (!row || row.consumerId !== consumerId) throw new NotFoundError('合同');
    if (actor) await this.deps.audit.recordNow(actor, { action: 'contract.downloaded', objectType: 'contract', objectId: row.id });
    return this.deps.store.get(row.storageKey);
  }

  /** Any contract's PDF, for the e-signature port and operators (callers check who may read it). */
  async pdfOf(contractId: string): Promise<Buffer> {
    return this.deps.store.get((await this.contract(contractId)).storageKey);
  }

  /** A contract the institution is a party to. */
  async pdfForInstitution(institutionId: string, contractId: string, actor: AuditActor): Promise<Buffer> {
    const row = await this.repo.contractById(contractId);
    if (!row || row.institutionId !== institutionId) throw new NotFoundError('合同');
    await this.deps.audit.recordNow(actor, { action: 'contract.downloaded', objectType: 'contract', objectId: row.id });
    return this.deps.store.get(row.storageKey);
  }

  // ── verification ──────────────────────────────────────────────────────────
  private async checkFile(row: ContractRow): Promise<VerifyFailure | undefined> {
    try {
      const bytes = await this.deps.store.get(row.storageKey);
      return sha256Hex(bytes) === row.sha256 ? undefined : 'file_hash_mismatch';
    } catch {
      return 'file_unreadable';
    }
  }

  private async check(row: ContractRow, evidence: EvidenceRow | undefined, previous: EvidenceRow | undefined): Promise<VerifyResult> {
    const failures: VerifyFailure[] = [];
    const file = await this.checkFile(row);
    if (file) failures.push(file);
    if (!evidence) failures.push('evidence_missing');
    else {
      const rowsAgree =
        evidence.documentSha256 === row.sha256 &&
        evidence.templateId === row.templateId &&
        evidence.templateVersion === row.templateVersion &&
        evidence.signerAccountId === row.signerAccountId &&
        evidence.signedAt.getTime() === row.signedAt.getTime();
      if (!rowsAgree || evidence.chainHash !== chainHash(evidence.prevChainHash, factsOf(row, evidence))) failures.push('evidence_row_changed');
      if (evidence.prevChainHash !== (previous?.chainHash ?? GENESIS_CHAIN_HASH)) failures.push('chain_broken');
    }
    return { contractId: row.id, ok: failures.length === 0, failures };
  }

  /** Checks one contract: its file against its hash, its evidence row against its chain hash, and the link to the previous row. */
  async verify(contractId: string, actor?: AuditActor): Promise<VerifyResult> {
    const row = await this.contract(contractId);
    const evidence = await this.repo.evidenceOf(contractId);
    const previous = evidence ? await this.repo.evidenceBefore(evidence.seq) : undefined;
    const result = await this.check(row, evidence, previous);
    if (actor) await this.deps.audit.recordNow(actor, { action: 'contract.verified', objectType: 'contract', objectId: contractId, detail: { ok: result.ok, failures: result.failures } });
    return result;
  }

  /** Checks every contract and the whole chain. */
  async verifyAll(actor?: AuditActor): Promise<VerifyAllResult> {
    const [rows, chain] = await Promise.all([this.repo.allContracts(), this.repo.allEvidence()]);
    const byContract = new Map<string, { evidence: EvidenceRow; previous: EvidenceRow | undefined }>();
    chain.forEach((e, i) => byContract.set(e.contractId, { evidence: e, previous: chain[i - 1] }));
    const contractIds = new Set(rows.map((r) => r.id));
    const failed: VerifyResult[] = [];
    for (const row of rows) {
      const link = byContract.get(row.id);
      const result = await this.check(row, link?.evidence, link?.previous);
      if (!result.ok) failed.push(result);
    }
    const orphanEvidence = chain.filter((e) => !contractIds.has(e.contractId)).map((e) => e.contractId);
    const result = { ok: failed.length === 0 && orphanEvidence.length === 0, checked: rows.length, failed, orphanEvidence };
    if (actor) await this.deps.audit.recordNow(actor, { action: 'contract.verified_all', objectType: 'contract', detail: { ok: result.ok, checked: result.checked, failed: failed.length } });
    return result;
  }

  // ── 合作协议 ──────────────────────────────────────────────────────────────
  /** The 合作协议 text for the institution's agreement in force, and the signed contract if its admin accepted this version. */
  async cooperationFor(institutionId: string): Promise<{ terms: CooperationTerms; title: string; text: string; variables: Record<string, string>; accepted: ContractRow | undefined } | undefined> {
    const terms = await this.deps.agreementInForce?.(institutionId, this.deps.clock.now());
    if (!terms) return undefined;
    const institution = await this.repo.institutionName(institutionId);
    if (!institution) throw new NotFoundError('机构');
    const variables = {
      institutionName: institution.name,
      agreementVersion: String(terms.version),
      effectiveFrom: shanghaiTime.format(terms.effectiveFrom).slice(0, 10),
      cpl: `每条 ${formatYuan(terms.cplFen)}`,
      cpa: `每笔 ${formatYuan(terms.cpaFen)}`,
      cpsRate: `放款金额的 ${formatRate(terms.cpsRate)}`,
      reversalWindowDays: String(terms.reversalWindowDays),
    };
    const template = await this.currentTemplate('cooperation');
    return { terms, title: template.title, text: renderTemplate(template.body, variables), variables, accepted: await this.repo.contractBySubject('cooperation', terms.id) };
  }

  /** The institution's admin accepts the 合作协议 of the agreement in force: signed as a contract (once per agreement version). */
  async acceptCooperation(institutionId: string, signer: { accountId: string; name: string }, origin: RequestOrigin): Promise<{ id: string; sha256: string }> {
    const draft = await this.cooperationFor(institutionId);
    if (!draft) throw new NotFoundError('合作协议');
    if (draft.accepted) throw new ConflictError('decided', '这一版合作协议已经确认过');
    return this.sign({ kind: 'cooperation', institutionId, signerAccountId: signer.accountId, signerName: signer.name, variables: draft.variables, smsConfirmed: false, origin, subjectId: draft.terms.id });
  }

  // ── registration agreements ───────────────────────────────────────────────
  /** The 用户协议 and 隐私政策 in force now. */
  async currentAgreements(db: Database = this.deps.db): Promise<Record<AgreementKind, ContractTemplate>> {
    const userAgreement = await this.currentTemplate('user_agreement', null, db);
    const privacyPolicy = await this.currentTemplate('privacy_policy', null, db);
    return { user_agreement: userAgreement, privacy_policy: privacyPolicy };
  }

  /** `ua:pp` version numbers in force, cached for a few seconds (a publish on this instance clears it). */
  async agreementVersionsKey(): Promise<string> {
    const now = Date.now();
    if (!this.versionsCache || this.versionsCache.until < now) {
      const c = await this.currentAgreements();
      this.versionsCache = { key: `${c.user_agreement.version}:${c.privacy_policy.version}`, until: now + 10_000 };
    }
    return this.versionsCache.key;
  }

  /** Refuses versions that are not the ones in force (409 agreements_changed): the person must agree to what is current. */
  async checkAgreementVersions(versions: { userAgreement: number; privacyPolicy: number }, db: Database = this.deps.db): Promise<Record<AgreementKind, ContractTemplate>> {
    const current = await this.currentAgreements(db);
    if (current.user_agreement.version !== versions.userAgreement || current.privacy_policy.version !== versions.privacyPolicy) {
      throw new ConflictError('agreements_changed', '协议已更新，请阅读最新版本后再同意', { agreements: '协议已更新，请重新阅读' });
    }
    return current;
  }

  /**
   * The agreements whose version in force the account has not accepted yet (empty when up to date).
   * Accounts with no acceptance recorded (made before registration asked, or by a tool) are not asked.
   */
  async outdatedAgreements(accountId: string): Promise<ContractTemplate[]> {
    const current = await this.currentAgreements();
    const accepted = await this.repo.acceptedVersions(accountId, ['user_agreement', 'privacy_policy']);
    // an account with no acceptance at all predates registration agreements (or was made by a tool): not asked
    if (accepted.length === 0) return [];
    return Object.values(current).filter((t) => !accepted.some((a) => a.kind === t.kind && a.version === t.version));
  }

  /**
   * Records that the account agreed to these versions. A version that is not the one in force is
   * a 409 (the page was stale): the borrower must see what they agree to.
   */
  async acceptAgreements(accountId: string, versions: { userAgreement: number; privacyPolicy: number }, origin: { ip?: string; actor?: AuditActor }, tx?: Tx): Promise<void> {
    const current = await this.checkAgreementVersions(versions, tx ?? this.deps.db);
    const work = async (t: Tx) => {
      for (const tpl of Object.values(current)) {
        await this.repo.insertAcceptance(t, { id: newId('agacc'), accountId, kind: tpl.kind as AgreementKind, version: tpl.version, acceptedAt: this.deps.clock.now(), ip: origin.ip ?? '' });
      }
      // agreeing again after a new version is audited; at registration the account.registered row stands for it
      if (origin.actor) {
        await this.deps.audit.record(
          origin.actor,
          { action: 'agreements.accepted', objectType: 'account', objectId: accountId, detail: { userAgreement: versions.userAgreement, privacyPolicy: versions.privacyPolicy } },
          t,
        );
      }
    };
    await (tx ? withTransaction(tx, work) : withTransaction(this.deps.db, work));
  }
}

function withKindLabel<T extends ContractRow>(row: T): T & { kindLabel: string } {
  return { ...row, kindLabel: contractKindLabels[row.kind] };
}

/** The facts one evidence link hashes: the contract row and the evidence row. */
function factsOf(
  c: ContractRow,
  e: Pick<EvidenceRow, 'signerAccountId' | 'signedAt' | 'ip' | 'deviceHash' | 'door' | 'documentSha256' | 'templateId' | 'templateVersion' | 'smsConfirmed'>,
): EvidenceFacts {
  return {
    contractId: c.id,
    kind: c.kind,
    title: c.title,
    institutionId: c.institutionId,
    consumerId: c.consumerId,
    subjectId: c.subjectId,
    signerAccountId: e.signerAccountId,
    signedAt: e.signedAt.toISOString(),
    ip: e.ip,
    deviceHash: e.deviceHash,
    door: e.door,
    documentSha256: e.documentSha256,
    storageKey: c.storageKey,
    size: c.size,
    templateId: e.templateId,
    templateVersion: e.templateVersion,
    smsConfirmed: e.smsConfirmed,
  };
}
