import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSearchRequest, ElasticsearchSearchIndex, productIndexMappings, productIndexSettings, SEARCH_ANALYZER, synonymRules } from './elasticsearch-index';
import { defaultDictionary } from '../../modules/search';
import { searchContract } from '../../modules/search/search.contract';

const url = process.env.TEST_ELASTICSEARCH_URL;

describe.runIf(url)('ElasticsearchSearchIndex (live, TEST_ELASTICSEARCH_URL)', () => {
  const aliases: string[] = [];

  searchContract('elasticsearch', async () => {
    const alias = `test-products-${randomUUID()}`;
    aliases.push(alias);
    return new ElasticsearchSearchIndex({ node: url!, index: alias });
  });

  afterAll(async () => {
    for (const alias of aliases) {
      const index = new ElasticsearchSearchIndex({ node: url!, index: alias });
      await index.drop();
      await index.close();
    }
  });
});

describe('ElasticsearchSearchIndex request building (no server)', () => {
  it('an excluded phrase (-免抵押, from query understanding) is a must_not of its bigrams', () => {
    const json = JSON.stringify(buildSearchRequest('products', { q: '抵押 -免抵押', sort: 'relevance', page: 1, pageSize: 10 }).query);
    expect(json).toContain('"must_not":[{"bool":{"must":[{"multi_match":{"query":"免抵"');
    expect(JSON.stringify(buildSearchRequest('products', { q: '抵押', sort: 'relevance', page: 1, pageSize: 10 }).query)).not.toContain('must_not');
  });

  it('puts facet dimensions in post_filter and each facet under the other dimensions only', () => {
    const req = buildSearchRequest('products', {
      q: '装修贷款',
      category: ['消费贷'],
      institution: ['inst-a'],
      amountFen: 100_000,
      eligibleFor: { city: '成都市', employment: '学生' },
      sort: 'relevance',
      page: 2,
      pageSize: 10,
    });
    expect(req.from).toBe(10);
    expect(req.post_filter).toEqual({ bool: { filter: [{ terms: { 'category.raw': ['消费贷'] } }, { terms: { institutionId: ['inst-a'] } }] } });
    expect(req.aggs?.category?.filter).toEqual({ bool: { filter: [{ terms: { institutionId: ['inst-a'] } }] } });
    expect(req.aggs?.repayment?.filter).toEqual({ bool: { filter: [{ terms: { 'category.raw': ['消费贷'] } }, { terms: { institutionId: ['inst-a'] } }] } });
    const json = JSON.stringify(req.query);
    expect(json).toContain('"eligibility.regions":["成","成都","成都市"]');
    expect(json).toContain('"eligibility.studentsExcluded":false');
    expect(json).toContain('装修');
    expect(req.sort).toEqual([{ _score: { order: 'desc' } }, { id: 'asc' }]);
  });
});

describe('Elasticsearch synonyms from the search dictionary (no server)', () => {
  it('turns the synonym entries into synonym_graph rules; intents and negations stay with query understanding', () => {
    const rules = synonymRules(defaultDictionary);
    expect(rules).toContain('汽车贷款, 汽车贷, 车贷款, 买车, 购车, 汽车分期, 买车贷款, 购车贷款 => 车贷');
    expect(rules).toContain('住房公积金, 公积金贷款, 公积金贷 => 公积金');
    expect(rules).toHaveLength(defaultDictionary.entries.filter((e) => e.kind === 'synonym').length);
    expect(rules.join('\n')).not.toMatch(/急用钱|免抵押/);
  });

  it('leaves out words that would break the rule syntax, and a word that is its own target', () => {
    const rules = synonymRules({ version: 2, entries: [{ kind: 'synonym', words: ['a,b', '车贷', '座驾', 'x=>y'], to: '车贷' }, { kind: 'synonym', words: ['#'], to: '房抵贷' }] });
    expect(rules).toEqual(['座驾 => 车贷']);
  });

  it('puts the rules in an updateable synonym_graph filter at the end of the search analyzer, and every Chinese text field searches with it', () => {
    const settings = productIndexSettings(defaultDictionary);
    expect(settings.number_of_shards).toBe(1);
    expect(settings.analysis?.filter?.dc_synonyms).toEqual({ type: 'synonym_graph', synonyms: synonymRules(defaultDictionary), updateable: true, lenient: true });
    expect(settings.analysis?.analyzer?.[SEARCH_ANALYZER]).toEqual({ type: 'custom', tokenizer: 'standard', filter: ['cjk_width', 'lowercase', 'cjk_bigram', 'stop', 'dc_synonyms'] });
    for (const field of ['name', 'tags', 'summary', 'category', 'institutionName', 'institutionFullName'] as const) {
      expect(productIndexMappings.properties?.[field]).toMatchObject({ analyzer: 'cjk', search_analyzer: SEARCH_ANALYZER });
    }
  });

  it('with no synonym the analyzer is still there (the mapping names it), without the filter', () => {
    const settings = productIndexSettings({ version: 3, entries: [{ kind: 'intent', words: ['急用钱'], intent: 'fast' }] });
    expect(settings.analysis?.filter).toBeUndefined();
    expect(settings.analysis?.analyzer?.[SEARCH_ANALYZER]).toMatchObject({ filter: ['cjk_width', 'lowercase', 'cjk_bigram', 'stop'] });
  });

  it('a new dictionary asks for a rebuild only when its synonyms differ; the next index is created with them', async () => {
    const index = new ElasticsearchSearchIndex({ node: 'http://127.0.0.1:9' });
    try {
      expect(index.indexBody(false).settings.analysis?.filter).toBeUndefined();
      expect(index.useDictionary(defaultDictionary)).toBe(true);
      expect(index.useDictionary({ ...defaultDictionary, version: 2 })).toBe(false);
      const more = { version: 3, entries: [...defaultDictionary.entries, { kind: 'synonym' as const, words: ['座驾'], to: '车贷' }] };
      expect(index.useDictionary(more)).toBe(true);
      const body = index.indexBody(true);
      expect(body.settings).toMatchObject({ refresh_interval: '-1', analysis: { filter: { dc_synonyms: { synonyms: expect.arrayContaining(['座驾 => 车贷']) } } } });
      expect(body.mappings).toBe(productIndexMappings);
    } finally {
      await index.close();
    }
  });
});
