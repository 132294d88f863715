import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EligibilityProfile } from '../catalogue/eligibility';
import { firstByPosition, firstByScore, MemorySearchIndex } from './memory-index';
import { referenceSearch, searchContract } from './search.contract';
import { searchSorts } from './search.port';
import { rankProducts, type RankingWeights } from '../ranking';
import type { ProductDocument, RankingSignalValues, SearchQuery } from './search.port';
import { isCjk, isLatinWord, parseQuery, tokenize, tokenizeQuery, typoDistance } from './tokenizer';

searchContract('memory', async () => new MemorySearchIndex());

describe('tokenizer', () => {
  it('indexes jieba words, bigrams and characters of Chinese', () => {
    const tokens = tokenize('闪电贷');
    for (const t of ['闪电', '贷', '电贷', '闪', '电']) expect(tokens).toContain(t);
    expect(tokenize('装修贷款')).toEqual(expect.arrayContaining(['装修', '贷款', '修贷']));
  });
  it('keeps Latin words and numbers whole, lower-cased and width-folded', () => {
    expect(tokenize('Credit Easy 2024')).toEqual(['credit', 'easy', '2024']);
    expect(tokenize('ｃｒｅｄｉｔ １２')).toEqual(['credit', '12']);
    expect(tokenize('iPhone15分期')).toEqual(expect.arrayContaining(['iphone15', '分期', '分', '期']));
  });
  it('drops punctuation and whitespace', () => {
    expect(tokenize('，！ \n…—')).toEqual([]);
    expect(tokenize('装修、建材')).not.toContain('修建'); // no bigram across punctuation
  });
  it('queries use words and bigrams, single characters only when the run is one character', () => {
    expect(tokenizeQuery('装修贷款')).toEqual(['装修', '贷款', '修贷']);
    expect(tokenizeQuery('车')).toEqual(['车']);
    expect(tokenizeQuery('华商 Credit')).toEqual(['华商', 'credit']);
  });
  it('parses what must match and what only ranks', () => {
    const texts = (q: string) => parseQuery(q).required.map((t) => t.text);
    expect(texts('装修贷款')).toEqual(['装修']);
    expect(parseQuery('装修贷款').optional.map((t) => t.text)).toEqual(['贷款', '修贷']);
    expect(texts('闪电贷')).toEqual(['闪电']);
    expect(texts('安和')).toEqual(['安和']);
    expect(texts('薪享贷')).toEqual(['薪享']);
    expect(parseQuery('随借随还').required[0]!.alternatives).toEqual([['随借', '借随', '随还']]);
    expect(parseQuery('有限公司').required[0]!.alternatives).toEqual([['有限公司'], ['有限', '限公', '公司']]);
    expect(texts('我想借5万装修')).toEqual(['装修']);
    expect(texts('Credit Easy')).toEqual(['credit', 'easy']);
    // only unspecific words: any of them
    expect(parseQuery('贷款').required).toHaveLength(1);
    expect(parseQuery('，').required).toEqual([]);
  });
  it('allows typos only in Latin words of four letters or more', () => {
    expect(['abc', 'easy', 'money', 'credit', '装修贷款', '2024'].map(typoDistance)).toEqual([0, 1, 1, 2, 0, 0]);
  });
});

// ---------------------------------------------------------------- property: memory index == brute force

const categories = ['信用贷', '消费贷', '经营贷', '车贷', '房抵贷'];
const institutions = ['inst-a', 'inst-b', 'inst-c'];
const methods = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];
const terms = [1, 3, 6, 12, 24, 36];
const cities = ['成都', '北京', '上海'];
const employments = ['上班族', '个体户', '企业主', '自由职业', '学生'];

const docArb = fc
  .record({
    category: fc.constantFrom(...categories),
    institutionId: fc.constantFrom(...institutions),
    repaymentMethods: fc.subarray(methods, { minLength: 1 }),
    termOptions: fc.subarray(terms, { minLength: 1 }),
    minAmountFen: fc.integer({ min: 1, max: 10 }).map((n) => n * 100_000),
    span: fc.integer({ min: 0, max: 10 }).map((n) => n * 100_000),
    // few distinct values, so sorts have ties
    aprMin: fc.constantFrom(0.036, 0.06, 0.1, 0.18, 0.24),
    decisionMinutes: fc.constantFrom(5, 30, 60),
    disbursementHours: fc.constantFrom(1, 24),
    popularity: fc.integer({ min: 0, max: 4 }),
    eligibility: fc.record(
      {
        minAge: fc.integer({ min: 18, max: 30 }),
        maxAge: fc.integer({ min: 35, max: 65 }),
        minMonthlyIncomeFen: fc.constantFrom(0, 300_000, 800_000),
        regions: fc.subarray(cities),
        employmentTypes: fc.subarray(employments.slice(0, 4)),
        studentsExcluded: fc.boolean(),
        minCreditScore: fc.constantFrom(550, 650, 750),
      },
      { requiredKeys: ['minAge', 'maxAge', 'minMonthlyIncomeFen', 'regions', 'employmentTypes', 'studentsExcluded'] },
    ),
  })
  .map(({ span, ...d }) => ({ ...d, maxAmountFen: d.minAmountFen + span }));

type GeneratedDoc = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

function toDocument(d: GeneratedDoc, n: number): ProductDocument {
  return {
    ...d,
    // ids not in generation order, so id tie-breaks are exercised
    id: `p${String((n * 37) % 101).padStart(3, '0')}`,
    name: `产品${n}`,
    institutionName: d.institutionId,
    institutionFullName: d.institutionId,
    summary: '',
    tags: [],
    aprMax: d.aprMin * 2,
    approvalRate: 0.5,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

const docsArb = fc.array(docArb, { maxLength: 40 }).map((ds) => ds.map(toDocument));

const profileArb: fc.Arbitrary<EligibilityProfile> = fc.record(
  {
    age: fc.integer({ min: 16, max: 70 }),
    city: fc.constantFrom('成都市', '北京', '上海浦东', '广州', ''),
    monthlyIncomeFen: fc.constantFrom(0, 500_000, 1_000_000),
    employment: fc.constantFrom(...employments, ''),
    creditScore: fc.constantFrom(500, 700, 900),
  },
  { requiredKeys: [] },
);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const queryArb: fc.Arbitrary<SearchQuery> = fc.record({
  amountFen: maybe(fc.integer({ min: 0, max: 25 }).map((n) => n * 100_000)),
  termMonths: maybe(fc.constantFrom(...terms, 60)),
  aprMax: maybe(fc.constantFrom(0.03, 0.06, 0.1, 0.2, 0.36)),
  category: maybe(fc.subarray(categories)),
  institution: maybe(fc.subarray([...institutions, 'inst-none'])),
  repayment: maybe(fc.subarray(methods)),
  eligibleFor: maybe(profileArb),
  sort: fc.constantFrom(...searchSorts),
  page: fc.integer({ min: 1, max: 4 }),
  pageSize: fc.integer({ min: 1, max: 15 }),
});

describe('MemorySearchIndex equals a brute-force filter (no text)', () => {
  it('for random products and queries', async () => {
    await fc.assert(
      fc.asyncProperty(docsArb, fc.array(queryArb, { minLength: 1, maxLength: 8 }), async (docs, queries) => {
        const index = new MemorySearchIndex();
        await index.replaceAll(docs);
        for (const query of queries) expect(await index.search(query)).toEqual(referenceSearch(docs, query));
      }),
      { numRuns: 150 },
    );
  });

  it('with more distinct terms, methods and employment types than fit in a bit mask', async () => {
    const manyTerms = Array.from({ length: 40 }, (_, i) => i + 1);
    const manyMethods = Array.from({ length: 40 }, (_, i) => `m${i}`);
    const manyEmployments = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const wideDocs = fc
      .array(
        fc.record({ base: docArb, terms: fc.subarray(manyTerms, { minLength: 1 }), methods: fc.subarray(manyMethods, { minLength: 1 }), employments: fc.subarray(manyEmployments, { maxLength: 12 }) }),
        { maxLength: 40 },
      )
      .map((ds) =>
        ds.map(({ base, terms, methods, employments }, n) => {
          const doc = toDocument(base, n);
          return { ...doc, termOptions: terms, repaymentMethods: methods, eligibility: { ...doc.eligibility, employmentTypes: employments } };
        }),
      );
    const wideQuery = fc.record({
      termMonths: maybe(fc.constantFrom(...manyTerms)),
      repayment: maybe(fc.subarray(manyMethods, { maxLength: 3 })),
      eligibleFor: maybe(fc.record({ employment: fc.constantFrom(...manyEmployments, '学生') })),
      sort: fc.constantFrom(...searchSorts),
      page: fc.constant(1),
      pageSize: fc.constant(50),
    });
    await fc.assert(
      fc.asyncProperty(wideDocs, fc.array(wideQuery, { minLength: 1, maxLength: 5 }), async (docs, queries) => {
        const index = new MemorySearchIndex();
        await index.replaceAll(docs);
        for (const query of queries) expect(await index.search(query)).toEqual(referenceSearch(docs, query));
      }),
      { numRuns: 100 },
    );
  });

  it('after random upserts and removals', async () => {
    await fc.assert(
      fc.asyncProperty(docsArb, docsArb, fc.array(fc.nat(100)), fc.array(queryArb, { minLength: 1, maxLength: 5 }), async (initial, changed, removeNumbers, queries) => {
        const index = new MemorySearchIndex();
        await index.replaceAll(initial);
        // build the pre-sorted orders first, so the writes have to keep them current
        for (const sort of searchSorts) await index.search({ sort, page: 1, pageSize: 1 });
        await index.upsert(changed);
        const removed = removeNumbers.map((n) => `p${String(n).padStart(3, '0')}`);
        await index.remove(removed);
        const expected = new Map(initial.map((d) => [d.id, d]));
        for (const d of changed) expected.set(d.id, d);
        for (const id of removed) expected.delete(id);
        const docs = [...expected.values()];
        expect(await index.count()).toBe(docs.length);
        for (const query of queries) expect(await index.search(query)).toEqual(referenceSearch(docs, query));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- property: text hits == brute-force token matching

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

/** the matching rules, spelled out: Han tokens exactly, Latin words also as a prefix or within the typo distance */
function tokenMatches(docTokens: Set<string>, token: string): boolean {
  if (docTokens.has(token)) return true;
  if (!isLatinWord(token)) return false;
  const distance = typoDistance(token);
  for (const t of docTokens) {
    if (isCjk(t)) continue;
    if (t.startsWith(token)) return true;
    if (distance > 0 && levenshtein(t, token) <= distance) return true;
  }
  return false;
}

function textMatches(doc: ProductDocument, q: string): boolean {
  const tokens = new Set([doc.name, doc.tags.join(' '), doc.institutionName, doc.institutionFullName, doc.category, doc.summary].flatMap(tokenize));
  return parseQuery(q).required.every((term) => term.alternatives.some((alt) => alt.every((t) => tokenMatches(tokens, t))));
}

const syllables = ['闪电', '装修', '贷款', '华商', '银行', '安和', '薪享', '小额', '随借随还', '分期', '车', '贷', '经营', '周转', '秒批', '成都'];
const latinWords = ['credit', 'easy', 'cash', 'loan', 'credo', 'cred', 'flex', 'go', '2024'];
const phraseArb = fc.array(fc.constantFrom(...syllables, ...latinWords), { minLength: 1, maxLength: 4 }).chain((parts) =>
  fc.array(fc.constantFrom('', ' ', '，'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')),
);
const textDocsArb = fc
  .array(fc.record({ base: docArb, name: phraseArb, summary: phraseArb, tags: fc.array(phraseArb, { maxLength: 2 }), institutionName: phraseArb }), { maxLength: 30 })
  .map((ds) => ds.map(({ base, ...text }, n) => ({ ...toDocument(base, n), ...text, institutionFullName: text.institutionName + '有限公司' })));
const queryTextArb = fc.oneof(phraseArb, fc.constantFrom('credti', 'eazy', 'cre', 'loen', '装修贷款', '安和', '招商', '随借', '车贷'));

describe('MemorySearchIndex text matching equals brute-force token matching', () => {
  it('for random texts and queries', async () => {
    await fc.assert(
      fc.asyncProperty(textDocsArb, fc.array(queryTextArb, { minLength: 1, maxLength: 6 }), fc.nat(30), async (docs, texts, removeAt) => {
        const index = new MemorySearchIndex();
        await index.replaceAll(docs);
        // exercise removal and slot reuse too
        const victim = docs[removeAt % Math.max(1, docs.length)];
        let live = docs;
        if (victim) {
          await index.remove([victim.id]);
          await index.upsert([{ ...victim, id: `${victim.id}-again` }]);
          live = [...docs.filter((d) => d !== victim), { ...victim, id: `${victim.id}-again` }];
        }
        for (const text of texts) {
          const r = await index.search({ q: text, sort: 'relevance', page: 1, pageSize: 1000 });
          const expected = parseQuery(text).required.length === 0 ? live : live.filter((d) => textMatches(d, text));
          expect([...r.ids].sort()).toEqual(expected.map((d) => d.id).sort());
          expect(r.total).toBe(expected.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('MemorySearchIndex orders text hits as the reference orders the matching products', () => {
  it('in every sort but relevance, also after writes (the places in each order are made again)', async () => {
    const sortedQueryArb = fc.tuple(queryArb, fc.constantFrom(...searchSorts.filter((s) => s !== 'relevance')));
    await fc.assert(
      fc.asyncProperty(textDocsArb, textDocsArb, fc.array(queryTextArb, { minLength: 1, maxLength: 4 }), fc.array(sortedQueryArb, { minLength: 1, maxLength: 4 }), async (initial, changed, texts, queries) => {
        const index = new MemorySearchIndex();
        await index.replaceAll(initial);
        const check = async (docs: ProductDocument[]) => {
          for (const text of texts) {
            const matching = parseQuery(text).required.length === 0 ? docs : docs.filter((d) => textMatches(d, text));
            for (const [query, sort] of queries) expect(await index.search({ ...query, sort, q: text })).toEqual(referenceSearch(matching, { ...query, sort }));
          }
        };
        await check(initial);
        // half of the changed products replace initial ones (same id), half are new
        const writes = changed.map((d, n) => (n % 2 === 0 && initial[n] ? { ...d, id: initial[n]!.id } : { ...d, id: `${d.id}-new${n}` }));
        await index.upsert(writes);
        const live = new Map(initial.map((d) => [d.id, d]));
        for (const d of writes) live.set(d.id, d);
        await check([...live.values()]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('firstByScore and firstByPosition', () => {
  // slots 0..n-1 of a product table, a random subset of them searched, in random order
  const tableArb = fc.integer({ min: 0, max: 400 }).chain((n) =>
    fc.record({
      // few distinct scores (ties), fractional and large ones too
      scores: fc.array(fc.constantFrom(0, 0.5, 1, 1.25, 3.1415926, 7, 1e6, 2.000000001, 2.000000002), { minLength: n, maxLength: n }),
      tieOrder: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      picked: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      k: fc.integer({ min: -1, max: n + 2 }),
      shuffle: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    }),
  );
  const searched = (picked: boolean[], shuffle: number[]) =>
    picked
      .map((p, s) => (p ? s : -1))
      .filter((s) => s >= 0)
      .sort((a, b) => shuffle[a]! - shuffle[b]! || a - b);

  it('firstByScore equals sorting by score (highest first) then tie order, and taking the first k', () => {
    fc.assert(
      fc.property(tableArb, ({ scores, tieOrder, picked, k, shuffle }) => {
        const score = Float64Array.from(scores);
        const ties = Int32Array.from(tieOrder);
        const slots = searched(picked, shuffle);
        const cmp = (a: number, b: number) => score[b]! - score[a]! || ties[a]! - ties[b]!;
        const expected = k <= 0 ? [] : [...slots].sort(cmp).slice(0, k);
        expect(firstByScore(Int32Array.from(slots), k, score, ties)).toEqual(expected);
        expect(firstByScore(slots, k, score, ties)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('firstByPosition equals the order of the full list, first k', () => {
    fc.assert(
      fc.property(tableArb, ({ tieOrder, picked, k, shuffle }) => {
        // tieOrder stands for a sort order: `ordered` lists every slot in it
        const ordered = new Array<number>(tieOrder.length);
        tieOrder.forEach((place, s) => (ordered[place] = s));
        const slots = searched(picked, shuffle);
        const expected = k <= 0 ? [] : ordered.filter((s) => slots.includes(s)).slice(0, k);
        expect(firstByPosition(slots, k, Int32Array.from(tieOrder), ordered)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- property: ranking inside the index == per-candidate ranking

describe('MemorySearchIndex.searchRanked equals ranking the candidates one by one (rankProducts)', () => {
  const share = fc.constantFrom(0, 0.1, 0.5, 1);
  const weightsArb = fc.record({ relevance: share, apr: share, approval: share, complaints: share, promotion: share, pricing: share });
  const ids = Array.from({ length: 101 }, (_, n) => `p${String(n).padStart(3, '0')}`);
  const signalsArb = fc.record({
    complaintRate: fc.array(fc.tuple(fc.constantFrom(...ids), share)).map((e) => new Map(e)),
    featured: fc.subarray(ids).map((s) => new Set(s)),
    aboveAdvertisedShare: fc.array(fc.tuple(fc.constantFrom(...institutions), share)).map((e) => new Map(e)),
  });
  const rankedDocsArb = fc
    .array(fc.record({ base: docArb, approvalRate: share, name: fc.constantFrom('闪电贷', '装修贷', '闪电装修贷', '信用贷') }), { maxLength: 40 })
    .map((ds) => ds.map(({ base, approvalRate, name }, n) => ({ ...toDocument(base, n), approvalRate, name })));
  const rankedQueryArb = fc.record({ query: queryArb, q: maybe(fc.constantFrom('闪电', '装修', '贷', '信用 -闪电')) }).map(({ query, q }) => ({ ...query, q }));

  function reference(index: MemorySearchIndex, docs: ProductDocument[], signals: RankingSignalValues, query: SearchQuery, weights: RankingWeights, candidates: number) {
    const base = index.searchSync({ ...query, sort: query.q ? 'relevance' : 'popularity', page: 1, pageSize: candidates });
    const byId = new Map(docs.map((d) => [d.id, d]));
    const n = base.ids.length;
    const ranked = rankProducts(
      base.ids.map((id, i) => ({
        id,
        relevance: query.q && n > 1 ? 1 - i / (n - 1) : query.q ? 1 : 0,
        aprMin: byId.get(id)!.aprMin,
        approvalRate: byId.get(id)!.approvalRate,
        complaintRate: signals.complaintRate.get(id) ?? 0,
        promoted: signals.featured.has(id),
        aboveAdvertisedShare: signals.aboveAdvertisedShare.get(byId.get(id)!.institutionId) ?? 0,
      })),
      weights,
    );
    const page = ranked.slice((query.page - 1) * query.pageSize, query.page * query.pageSize).map((r) => r.item);
    return { ids: page.map((c) => c.id), promoted: page.filter((c) => c.promoted).map((c) => c.id), total: base.total, facets: base.facets };
  }

  it('for random products, signals, weights and queries, also after writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        rankedDocsArb,
        rankedDocsArb,
        fc.array(fc.nat(100)),
        signalsArb,
        weightsArb,
        fc.array(fc.tuple(rankedQueryArb, fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 6 }),
        async (initial, changed, removeNumbers, signals, weights, queries) => {
          const index = new MemorySearchIndex();
          await index.replaceAll(initial);
          index.setRankingSignals(signals);
          const check = async (docs: ProductDocument[]) => {
            for (const [query, candidates] of queries) {
              const got = await index.searchRanked(query, { weights, candidates, byPosition: !!query.q });
              expect(got).toEqual(reference(index, docs, signals, query, weights, candidates));
            }
          };
          await check(initial);
          // products written after the signals were given take them too (new ids, some in the slots of removed ones)
          const removed = removeNumbers.map((n) => ids[n]!);
          await index.remove(removed);
          const added = changed.map((d, n) => (n % 2 === 0 ? { ...d, id: ids[(n * 37 + 40 * 37) % 101]! } : d));
          await index.upsert(added);
          const current = new Map(initial.map((d) => [d.id, d]));
          for (const id of removed) current.delete(id);
          for (const d of added) current.set(d.id, d);
          await check([...current.values()]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
