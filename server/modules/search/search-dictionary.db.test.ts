import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { databaseTargets } from '../../../test/support/database';
import type { AuditActor } from '../audit';
import { defaultDictionary, type DictionaryEntry } from './dictionary';

const operator: AuditActor = { kind: 'operator', id: 'op-search-test' };
const withCarWord: DictionaryEntry[] = [...defaultDictionary.entries, { kind: 'synonym', words: ['座驾'], to: '车贷' }];

describe.each(databaseTargets())('search dictionary versions, on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open(), data: 'demo' });
  });
  afterAll(() => t?.close());

  const dictionary = () => t.container.services.searchDictionary;
  const found = async (q: string) => (await t.container.services.catalogue.searchListed({ q, sort: 'ranked', page: 1, pageSize: 50 })).total;
  const refusal = async (work: Promise<unknown>) => {
    const err = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  };

  it('starts at the code default as version 1', async () => {
    expect(await dictionary().active()).toEqual({ version: 1, entries: defaultDictionary.entries });
    const history = await dictionary().history();
    expect(history.map((v) => v.version)).toEqual([1]);
    expect(history[0]).toMatchObject({ author: '系统', createdAt: null });
  });

  it('refuses a bad entry list with 400s naming the entry, and keeps the version in force', async () => {
    const bad = [
      [{ kind: 'alias', words: ['甲'], to: '乙' }, 'entries.0.kind'],
      [[{ kind: 'intent', words: ['急'], intent: 'cheap' }], 'entries.0.intent'],
      [[{ kind: 'synonym', words: [''], to: '车贷' }], 'entries.0.words.0'],
      [[{ kind: 'synonym', words: ['买车'], to: '车贷' }, { kind: 'negation', words: ['买车'], to: '免抵押', negates: '抵押' }], 'entries.1.words.0'],
      [[], 'entries'],
    ] as const;
    for (const [entries, field] of bad) {
      const err = await refusal(dictionary().save(Array.isArray(entries) ? entries : [entries], {}, operator));
      expect(err.status).toBe(400);
      expect(Object.keys(err.fields ?? {})).toContain(field);
    }
    const text = await refusal(dictionary().saveText('synonym: 座驾 => 车贷\nintent: 座驾 => fast\nsynonym 没有冒号', {}, operator));
    expect(text.fields).toEqual({ entries: '第 2 行：“座驾”已在第 1 条中出现，一个词只能属于一条；第 3 行：应以 synonym:、intent: 或 negation: 开头' });
    expect((await dictionary().active()).version).toBe(1);
    expect(await t.container.services.audit.recentActions('search.dictionary_saved')).toHaveLength(0);
  });

  it('a saved version is in force at once: search reads its words, and cached results follow the version', async () => {
    expect(await found('座驾')).toBe(0); // cached under version 1
    const saved = await dictionary().save(withCarWord, { note: '座驾 = 车贷', author: '运营甲' }, operator);
    expect(saved).toMatchObject({ version: 2, note: '座驾 = 车贷', author: '运营甲', createdBy: 'op-search-test' });
    expect((await dictionary().active()).version).toBe(2);
    const carLoans = t.container.services.catalogue.allListed().filter((p) => p.category === '车贷').length;
    expect(await found('座驾')).toBe(carLoans);
    const [audit] = await t.container.services.audit.recentActions('search.dictionary_saved');
    expect(audit).toMatchObject({ actorKind: 'operator', objectType: 'search_dictionary', objectId: '2' });
    expect(audit!.detail).toMatchObject({ version: 2, added: ['座驾 → 车贷'], removed: [], entries: withCarWord.length });
  });

  it('revert saves an earlier version as the next one; an unknown version is a 404', async () => {
    const reverted = await dictionary().revert(1, { author: '运营乙' }, operator);
    expect(reverted).toMatchObject({ version: 3, note: '恢复第 1 版', entries: defaultDictionary.entries });
    expect(await found('座驾')).toBe(0);
    expect((await dictionary().history()).map((v) => v.version)).toEqual([3, 2, 1]);
    const [audit] = await t.container.services.audit.recentActions('search.dictionary_saved');
    expect(audit!.detail).toMatchObject({ version: 3, revertedFrom: 1, removed: ['座驾 → 车贷'] });
    await expect(dictionary().revert(99, {}, operator)).rejects.toBeInstanceOf(NotFoundError);
    const again = await dictionary().revert(2, {}, operator);
    expect(again.entries).toEqual(withCarWord);
    expect(await found('座驾')).toBeGreaterThan(0);
  });
});
