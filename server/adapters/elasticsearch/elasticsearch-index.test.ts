import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSearchRequest, ElasticsearchSearchIndex } from './elasticsearch-index';
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
