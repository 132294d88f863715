import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_CHAIN_HASH, canonicalJson, type EvidenceFacts } from './chain';
import { MissingVariablesError, renderTemplate, templateVariables } from './template-text';

describe('template substitution', () => {
  it('fills every placeholder, spaces inside the braces allowed, the same name as often as used', () => {
    expect(renderTemplate('借款人 {{borrowerName}} 借 {{ amount }}，{{borrowerName}} 签字', { borrowerName: '王小明', amount: '¥10,000.00' })).toBe('借款人 王小明 借 ¥10,000.00，王小明 签字');
  });

  it('names every missing variable and renders nothing', () => {
    const err = (() => {
      try {
        renderTemplate('{{a}} {{b}} {{c}}', { b: '1' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingVariablesError);
    expect((err as MissingVariablesError).missing).toEqual(['a', 'c']);
    expect((err as MissingVariablesError).status).toBe(400);
  });

  it('inserts values as text: no helpers, no recursion, no prototype lookups', () => {
    expect(renderTemplate('{{x}}', { x: '{{y}} <b>&' })).toBe('{{y}} <b>&');
    expect(() => renderTemplate('{{constructor}}', {})).toThrow(MissingVariablesError);
    expect(renderTemplate('{{#if a}}不是变量{{/if}}', {})).toBe('{{#if a}}不是变量{{/if}}');
  });

  it('lists the variables a body uses, once each', () => {
    expect(templateVariables('{{a}}{{b.c}}{{a}}')).toEqual(['a', 'b.c']);
  });
});

describe('evidence chain hashing', () => {
  const facts: EvidenceFacts = {
    contractId: 'ctr_1',
    kind: 'loan_contract',
    title: '借款合同',
    institutionId: 'inst_1',
    consumerId: 'acc_1',
    subjectId: 'offer_1',
    signerAccountId: 'acc_1',
    signedAt: '2026-12-06T02:00:00.000Z',
    ip: '10.0.0.1',
    deviceHash: 'dev',
    door: 'web',
    documentSha256: 'a'.repeat(64),
    storageKey: 'blob_1',
    size: 100,
    templateId: 'ctpl_1',
    templateVersion: 1,
    smsConfirmed: true,
  };

  it('is canonical: key order does not change the hash', () => {
    const reordered = Object.fromEntries(Object.entries(facts).reverse()) as unknown as EvidenceFacts;
    expect(canonicalJson(reordered)).toBe(canonicalJson(facts));
    expect(chainHash(GENESIS_CHAIN_HASH, reordered)).toBe(chainHash(GENESIS_CHAIN_HASH, facts));
  });

  it('changes with any fact and with the previous link', () => {
    const h = chainHash(GENESIS_CHAIN_HASH, facts);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_CHAIN_HASH, { ...facts, documentSha256: 'b'.repeat(64) })).not.toBe(h);
    expect(chainHash(GENESIS_CHAIN_HASH, { ...facts, smsConfirmed: false })).not.toBe(h);
    expect(chainHash('1'.repeat(64), facts)).not.toBe(h);
  });
});
