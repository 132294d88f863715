import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore, SealedBlobStore } from '../../adapters/storage';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { pdfText } from '../../../test/support/pdf-text';
import type { RequestOrigin } from '../audit';
import { MissingVariablesError } from './template-text';

const origin: RequestOrigin = { actor: { kind: 'consumer', id: 'acc_test', ip: '203.0.113.7' }, device: 'dev_hash_1', visitor: 'v1', door: 'web' };
const loanVariables = {
  borrowerName: '王小明',
  institutionName: '甲银行股份有限公司',
  productName: '甲银行信用贷',
  amount: '¥12,345.00',
  term: '12 个月',
  repaymentMethod: '等额本息',
  apr: '7.20%',
  firstRepayment: '¥1,068.72',
  totalRepayment: '¥12,824.64',
  date: '2026-12-06',
};

describe('contracts: signing, evidence and verification (PGlite)', () => {
  let t: TestApp;
  let blobs: SealedBlobStore;
  let raw: LocalBlobStore;
  const sign = (subjectId: string) =>
    t.container.services.contracts.sign({
      kind: 'loan_contract',
      institutionId: t.fixtures.institutionA.id,
      consumerId: 'acc_test',
      signerAccountId: 'acc_test',
      variables: loanVariables,
      smsConfirmed: true,
      origin,
      subjectId,
    });
  const db = () => t.container.database.db;

  beforeAll(async () => {
    t = await startTestApp();
    raw = new LocalBlobStore(path.join(t.container.config.dataDir, 'documents'));
    blobs = new SealedBlobStore(raw, t.container.pii);
  });
  afterAll(() => t.close());

  it('signs: the PDF holds the parties and the exact terms, is stored encrypted, and verifies', async () => {
    const { contracts } = t.container.services;
    const signed = await sign('offer_1');
    expect(signed.sha256).toMatch(/^[0-9a-f]{64}$/);
    const [row] = await contracts.listForConsumer('acc_test');
    expect(row).toMatchObject({ id: signed.id, kind: 'loan_contract', templateVersion: 1, subjectId: 'offer_1', sha256: signed.sha256 });
    const pdf = await contracts.pdfForConsumer('acc_test', signed.id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const v of Object.values(loanVariables)) expect(text).toContain(v);
    expect(text).toContain('已通过短信验证码确认');
    expect(text).toContain('203.0.113.7');
    // at rest the bytes are sealed: no PDF header, no borrower name
    const stored = await raw.get(row!.storageKey);
    expect(stored.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(await contracts.verify(signed.id)).toEqual({ contractId: signed.id, ok: true, failures: [] });
    await expect(contracts.pdfForConsumer('acc_other', signed.id)).rejects.toMatchObject({ status: 404 });
  });

  it('a missing variable is a 400 naming it, and nothing is stored', async () => {
    const { contracts } = t.container.services;
    const before = (await contracts.listForConsumer('acc_test')).length;
    const { apr: _apr, ...rest } = loanVariables;
    await expect(
      contracts.sign({ kind: 'loan_contract', institutionId: t.fixtures.institutionA.id, consumerId: 'acc_test', signerAccountId: 'acc_test', variables: rest, smsConfirmed: true, origin }),
    ).rejects.toBeInstanceOf(MissingVariablesError);
    expect((await contracts.listForConsumer('acc_test')).length).toBe(before);
  });

  it('signs inside the caller transaction: rolled back, no contract and no evidence remain', async () => {
    const { contracts } = t.container.services;
    const before = (await contracts.listForConsumer('acc_test')).length;
    await expect(
      db().transaction(async (tx) => {
        await contracts.sign({ kind: 'loan_contract', institutionId: t.fixtures.institutionA.id, consumerId: 'acc_test', signerAccountId: 'acc_test', variables: loanVariables, smsConfirmed: true, origin }, tx as never);
        throw new Error('offer acceptance failed later');
      }),
    ).rejects.toThrow('offer acceptance failed later');
    expect((await contracts.listForConsumer('acc_test')).length).toBe(before);
    expect((await contracts.verifyAll()).ok).toBe(true);
  });

  it('concurrent signatures form one unbroken chain', async () => {
    await Promise.all([sign('c1'), sign('c2'), sign('c3'), sign('c4')]);
    const all = await t.container.services.contracts.verifyAll();
    expect(all).toMatchObject({ ok: true, failed: [], orphanEvidence: [] });
    expect(all.checked).toBeGreaterThanOrEqual(5);
  });

  it('tampered PDF bytes fail the file check', async () => {
    const { contracts } = t.container.services;
    const signed = await sign('tamper-file');
    const row = await contracts.contract(signed.id);
    const pdf = await blobs.get(row.storageKey);
    // the same file with one byte changed, sealed again with the real key: decrypts fine, hash differs
    const changed = Buffer.from(pdf);
    changed.writeUInt8(changed.readUInt8(changed.length >> 1) ^ 0x01, changed.length >> 1);
    await blobs.put(row.storageKey, changed);
    expect(await contracts.verify(signed.id)).toMatchObject({ ok: false, failures: ['file_hash_mismatch'] });
    // bytes garbled on disk: cannot be decrypted
    const sealed = await raw.get(row.storageKey);
    sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 0xff, sealed.length - 1);
    await writeFile(path.join(t.container.config.dataDir, 'documents', row.storageKey.slice(0, 2), row.storageKey), sealed);
    expect(await contracts.verify(signed.id)).toMatchObject({ ok: false, failures: ['file_unreadable'] });
    const all = await contracts.verifyAll();
    expect(all.ok).toBe(false);
    expect(all.failed.map((f) => f.contractId)).toContain(signed.id);
    expect(await readFile(path.join(t.container.config.dataDir, 'documents', row.storageKey.slice(0, 2), row.storageKey))).toBeTruthy();
  });

  it('a changed evidence row or contract row fails the evidence check', async () => {
    const { contracts } = t.container.services;
    const a = await sign('tamper-evidence');
    await db().execute(sql`update contract_evidence set ip = '198.51.100.1' where contract_id = ${a.id}`);
    expect(await contracts.verify(a.id)).toMatchObject({ ok: false, failures: ['evidence_row_changed'] });
    const b = await sign('tamper-contract');
    await db().execute(sql`update contracts set consumer_id = 'acc_someone_else' where id = ${b.id}`);
    expect(await contracts.verify(b.id)).toMatchObject({ ok: false, failures: ['evidence_row_changed'] });
    // a hash recomputed by someone who changed the row still breaks the link to the next row
    const c = await sign('tamper-rehash');
    const d = await sign('after-rehash');
    await db().execute(sql`update contract_evidence set chain_hash = ${'f'.repeat(64)} where contract_id = ${c.id}`);
    expect((await contracts.verify(c.id)).failures).toContain('evidence_row_changed');
    expect(await contracts.verify(d.id)).toMatchObject({ ok: false, failures: ['chain_broken'] });
  });

  it('a deleted middle evidence row breaks the chain and leaves its contract without evidence', async () => {
    const { contracts } = t.container.services;
    const first = await sign('del-1');
    const middle = await sign('del-2');
    const last = await sign('del-3');
    await db().execute(sql`delete from contract_evidence where contract_id = ${middle.id}`);
    expect(await contracts.verify(first.id)).toMatchObject({ ok: true });
    expect(await contracts.verify(middle.id)).toMatchObject({ ok: false, failures: ['evidence_missing'] });
    expect(await contracts.verify(last.id)).toMatchObject({ ok: false, failures: ['chain_broken'] });
    const all = await contracts.verifyAll();
    expect(all.failed.find((f) => f.contractId === last.id)?.failures).toEqual(['chain_broken']);
  });
});
