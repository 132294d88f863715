import { randomBytes } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import type { EligibilityProfile } from '../../modules/catalogue';
import {
  isCjk,
  isLatinWord,
  parseQuery,
  type ParsedQuery,
  type ProductDocument,
  type SearchFacets,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
  type SearchDictionary,
} from '../../modules/search';

type Q = estypes.QueryDslQueryContainer;

/** the search-time analyzer of the Chinese text fields: the `cjk` chain plus the dictionary's synonyms */
export const SEARCH_ANALYZER = 'dc_cjk_search';
export const SYNONYM_FILTER = 'dc_synonyms';

/**
 * Chinese text: indexed with the built-in `cjk` analyzer (bigrams, no plugin) and searched with
 * the same chain plus the dictionary's synonym graph; `.std` holds standard-analysed unigrams.
 */
const textField: estypes.MappingProperty = { type: 'text', analyzer: 'cjk', search_analyzer: SEARCH_ANALYZER, fields: { std: { type: 'text', analyzer: 'standard' } } };

/** A word usable in a Solr-format synonym rule (no rule syntax inside it). */
const ruleWord = (w: string) => w.trim().length > 0 && !/[,=>#\\]/u.test(w);

/**
 * The synonym entries of the dictionary as `synonym_graph` rules (`买车, 购车 => 车贷`). Intents
 * and negations are query understanding's alone: they change filters and the order, not words.
 */
export function synonymRules(dictionary: SearchDictionary): string[] {
  const rules: string[] = [];
  for (const entry of dictionary.entries) {
    if (entry.kind !== 'synonym' || !ruleWord(entry.to)) continue;
    const words = [...new Set(entry.words.map((w) => w.trim()))].filter((w) => ruleWord(w) && w !== entry.to.trim());
    if (words.length > 0) rules.push(`${words.join(', ')} => ${entry.to.trim()}`);
  }
  return rules;
}

/**
 * Index settings: one shard, and the search analyzer with the dictionary's synonyms. The filter
 * is `updateable` (search-time only); a new dictionary version reaches a live cluster by a
 * rebuild into a fresh index swapped behind the alias (replaceAll), which the catalogue runs on
 * `search.dictionaryChanged`.
 */
export function productIndexSettings(dictionary?: SearchDictionary): estypes.IndicesIndexSettings {
  const rules = dictionary ? synonymRules(dictionary) : [];
  const chain = ['cjk_width', 'lowercase', 'cjk_bigram', 'stop'];
  return {
    number_of_shards: 1,
    analysis: {
      ...(rules.length > 0 ? { filter: { [SYNONYM_FILTER]: { type: 'synonym_graph', synonyms: rules, updateable: true, lenient: true } } } : {}),
      analyzer: { [SEARCH_ANALYZER]: { type: 'custom', tokenizer: 'standard', filter: rules.length > 0 ? [...chain, SYNONYM_FILTER] : chain } },
    },
  };
}

export const productIndexMappings: estypes.MappingTypeMapping = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    name: textField,
    institutionId: { type: 'keyword' },
    institutionName: textField,
    institutionFullName: textField,
    category: { type: 'text', analyzer: 'cjk', search_analyzer: SEARCH_ANALYZER, fields: { std: { type: 'text', analyzer: 'standard' }, raw: { type: 'keyword' } } },
    summary: textField,
    tags: textField,
    minAmountFen: { type: 'long' },
    maxAmountFen: { type: 'long' },
    termOptions: { type: 'integer' },
    repaymentMethods: { type: 'keyword' },
    aprMin: { type: 'double' },
    aprMax: { type: 'double' },
    decisionMinutes: { type: 'integer' },
    disbursementHours: { type: 'integer' },
    popularity: { type: 'double' },
    approvalRate: { type: 'double' },
    updatedAt: { type: 'date' },
    eligibility: {
      properties: {
        minAge: { type: 'integer' },
        maxAge: { type: 'integer' },
        minMonthlyIncomeFen: { type: 'long' },
        regions: { type: 'keyword' },
        employmentTypes: { type: 'keyword' },
        studentsExcluded: { type: 'boolean' },
        minCreditScore: { type: 'integer' },
      },
    },
  },
};

const FIELD_BOOSTS: [string, number][] = [
  ['name', 3],
  ['tags', 2],
  ['institutionName', 2],
  ['institutionFullName', 1],
  ['category', 1.5],
  ['summary', 1],
];
const cjkFields = FIELD_BOOSTS.map(([f, b]) => `${f}^${b}`);
const stdFields = FIELD_BOOSTS.map(([f, b]) => `${f}.std^${b}`);

const facetFields = { category: 'category.raw', institution: 'institutionId', repayment: 'repaymentMethods' } as const;
type Dimension = keyof typeof facetFields;
const dimensions = Object.keys(facetFields) as Dimension[];

const sorts: Record<Exclude<SearchSort, 'relevance'>, estypes.SortCombinations[]> = {
  apr: [{ aprMin: 'asc' }, { id: 'asc' }],
  amount: [{ maxAmountFen: 'desc' }, { id: 'asc' }],
  speed: [{ decisionMinutes: 'asc' }, { disbursementHours: 'asc' }, { id: 'asc' }],
  popularity: [{ popularity: 'desc' }, { id: 'asc' }],
};

const BULK_CHUNK = 500;

function isNotFound(e: unknown): boolean {
  return e instanceof errors.ResponseError && e.statusCode === 404;
}

/** One index token as a query: Han words/bigrams on the cjk fields, single Han characters on the unigram fields, Latin with typos and prefix. */
function tokenQuery(token: string): Q {
  if (isCjk(token)) {
    if (Array.from(token).length === 1) return { multi_match: { query: token, fields: stdFields } };
    return { multi_match: { query: token, type: 'phrase', fields: cjkFields } };
  }
  if (!isLatinWord(token)) return { multi_match: { query: token, fields: stdFields } };
  return {
    bool: {
      should: [
        // typos only from four letters (AUTO:4,6 → 0 edits below 4, 1 for 4–5, 2 from 6)
        { multi_match: { query: token, fields: stdFields, fuzziness: 'AUTO:4,6' } },
        { multi_match: { query: token, type: 'phrase_prefix', fields: stdFields } },
      ],
      minimum_should_match: 1,
    },
  };
}

function alternativeQuery(alt: string[]): Q {
  return alt.length === 1 ? tokenQuery(alt[0]!) : { bool: { must: alt.map(tokenQuery) } };
}

/** The same semantics as the memory adapter: every required term (any of its alternatives), optional terms rank. */
export function textQuery(parsed: ParsedQuery): Q {
  return {
    bool: {
      must: parsed.required.map((t): Q =>
        t.alternatives.length === 1 ? alternativeQuery(t.alternatives[0]!) : { bool: { should: t.alternatives.map(alternativeQuery), minimum_should_match: 1 } },
      ),
      should: parsed.optional.map((t) => alternativeQuery(t.alternatives[0]!)),
      // -免抵押: products saying it are left out, as in the memory adapter
      ...(parsed.excluded.length > 0 ? { must_not: parsed.excluded.map(alternativeQuery) } : {}),
    },
  };
}

const missing = (field: string): Q => ({ bool: { must_not: { exists: { field } } } });
const either = (...clauses: Q[]): Q => ({ bool: { should: clauses, minimum_should_match: 1 } });

/** The eligibility rules of checkEligibility as filter clauses; unknown facts add none. */
export function eligibilityFilters(p: EligibilityProfile): Q[] {
  const out: Q[] = [];
  if (p.age !== undefined) {
    out.push({ range: { 'eligibility.minAge': { lte: p.age } } }, { range: { 'eligibility.maxAge': { gte: p.age } } });
  }
  if (p.city) {
    // a rule region matches when the city starts with it: 成都市 → 成, 成都, 成都市
    const chars = Array.from(p.city);
    const prefixes = chars.map((_, i) => chars.slice(0, i + 1).join(''));
    out.push(either(missing('eligibility.regions'), { terms: { 'eligibility.regions': prefixes } }));
  }
  if (p.monthlyIncomeFen !== undefined) out.push({ range: { 'eligibility.minMonthlyIncomeFen': { lte: p.monthlyIncomeFen } } });
  if (p.employment === '学生') out.push({ term: { 'eligibility.studentsExcluded': false } });
  else if (p.employment) out.push(either(missing('eligibility.employmentTypes'), { term: { 'eligibility.employmentTypes': p.employment } }));
  if (p.creditScore !== undefined) {
    out.push(either(missing('eligibility.minCreditScore'), { range: { 'eligibility.minCreditScore': { lte: p.creditScore } } }));
  }
  return out;
}

function baseFilters(query: SearchQuery): Q[] {
  const out: Q[] = [];
  if (query.amountFen !== undefined) {
    out.push({ range: { minAmountFen: { lte: query.amountFen } } }, { range: { maxAmountFen: { gte: query.amountFen } } });
  }
  if (query.termMonths !== undefined) out.push({ term: { termOptions: query.termMonths } });
  if (query.aprMax !== undefined) out.push({ range: { aprMin: { lte: query.aprMax } } });
  if (query.eligibleFor) out.push(...eligibilityFilters(query.eligibleFor));
  return out;
}

function dimensionFilters(query: SearchQuery): Partial<Record<Dimension, Q>> {
  const out: Partial<Record<Dimension, Q>> = {};
  for (const dim of dimensions) {
    const values = query[dim];
    if (values && values.length > 0) out[dim] = { terms: { [facetFields[dim]]: values } };
  }
  return out;
}

/** Builds the search request (exported for inspection in tests). */
export function buildSearchRequest(index: string, query: SearchQuery): estypes.SearchRequest {
  const page = Math.max(1, Math.floor(query.page) || 1);
  const pageSize = Math.max(0, Math.floor(query.pageSize) || 0);
  const parsed = query.q ? parseQuery(query.q) : undefined;
  const textual = parsed !== undefined && parsed.required.length > 0;

  const byDimension = dimensionFilters(query);
  const allDimensions = Object.values(byDimension);
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
  for (const dim of dimensions) {
    // disjunctive: each facet sees every filter but its own
    const others = dimensions.filter((d) => d !== dim && byDimension[d]).map((d) => byDimension[d]!);
    aggs[dim] = {
      filter: others.length > 0 ? { bool: { filter: others } } : { match_all: {} },
      aggs: { values: { terms: { field: facetFields[dim], size: dim === 'institution' ? 1000 : 100 } } },
    };
  }

  const sort = query.sort === 'relevance' ? (textual ? [{ _score: { order: 'desc' } }, { id: 'asc' }] : sorts.popularity) : sorts[query.sort];
  return {
    index,
    query: { bool: { ...(textual ? { must: [textQuery(parsed)] } : {}), filter: baseFilters(query) } },
    ...(allDimensions.length > 0 ? { post_filter: { bool: { filter: allDimensions } } } : {}),
    aggs,
    sort: sort as estypes.SortCombinations[],
    from: (page - 1) * pageSize,
    size: pageSize,
    track_total_hits: true,
    _source: false,
  };
}

interface FacetAggregate {
  values: { buckets: { key: string | number; doc_count: number }[] };
}

/**
 * Elasticsearch adapter. Searches go to an alias; replaceAll loads a fresh versioned index and
 * swaps the alias atomically, so searches never see a half-built index.
 */
export class ElasticsearchSearchIndex implements SearchIndex {
  readonly kind = 'elasticsearch' as const;
  readonly alias: string;
  private readonly client: Client;
  private ready: Promise<void> | undefined;
  private dictionary: SearchDictionary | undefined;

  constructor(options: { node: string; index?: string }) {
    this.client = new Client({ node: options.node });
    this.alias = options.index ?? 'products';
  }

  private newIndexName(): string {
    return `${this.alias}-${Date.now()}-${randomBytes(3).toString('hex')}`;
  }

  /** Takes the dictionary's synonyms into the next index built; true when they differ from the current ones (rebuild to apply). */
  useDictionary(dictionary: SearchDictionary): boolean {
    const changed = JSON.stringify(synonymRules(dictionary)) !== JSON.stringify(this.dictionary ? synonymRules(this.dictionary) : []);
    this.dictionary = dictionary;
    return changed;
  }

  /** what a new index is created with (exported for inspection in tests) */
  indexBody(bulkLoading: boolean): { settings: estypes.IndicesIndexSettings; mappings: estypes.MappingTypeMapping } {
    return { settings: { ...productIndexSettings(this.dictionary), ...(bulkLoading ? { refresh_interval: '-1' } : {}) }, mappings: productIndexMappings };
  }

  private async createIndex(name: string, bulkLoading: boolean): Promise<void> {
    await this.client.indices.create({ index: name, ...this.indexBody(bulkLoading) });
  }

  /** makes sure the alias points at an index (first write or search on an empty cluster) */
  private ensureIndex(): Promise<void> {
    this.ready ??= (async () => {
      if (await this.client.indices.exists({ index: this.alias })) return; // an alias or (legacy) a concrete index
      const name = this.newIndexName();
      await this.createIndex(name, false);
      await this.client.indices.updateAliases({ actions: [{ add: { index: name, alias: this.alias } }] });
    })().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** indices currently behind the alias, plus a concrete index squatting on the alias name */
  private async currentIndices(): Promise<{ aliased: string[]; concrete: string | undefined }> {
    try {
      const res = await this.client.indices.getAlias({ name: this.alias });
      return { aliased: Object.keys(res), concrete: undefined };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const concrete = (await this.client.indices.exists({ index: this.alias })) ? this.alias : undefined;
    return { aliased: [], concrete };
  }

  private async bulk(operations: (estypes.BulkOperationContainer | ProductDocument)[], refresh: estypes.Refresh, okStatuses: number[] = []): Promise<void> {
    if (operations.length === 0) return;
    const res = await this.client.bulk({ operations, refresh });
    if (!res.errors) return;
    for (const item of res.items) {
      const result = Object.values(item)[0];
      if (result?.error && !okStatuses.includes(result.status)) {
        throw new Error(`elasticsearch bulk failed for ${result._id}: ${result.error.type}: ${result.error.reason ?? ''}`);
      }
    }
  }

  private async load(index: string, docs: ProductDocument[], refresh: estypes.Refresh): Promise<void> {
    for (let i = 0; i < docs.length; i += BULK_CHUNK) {
      const operations: (estypes.BulkOperationContainer | ProductDocument)[] = [];
      for (const doc of docs.slice(i, i + BULK_CHUNK)) operations.push({ index: { _index: index, _id: doc.id } }, doc);
      await this.bulk(operations, refresh);
    }
  }

  async replaceAll(docs: ProductDocument[]): Promise<void> {
    const name = this.newIndexName();
    await this.createIndex(name, true);
    try {
      await this.load(name, docs, false);
      await this.client.indices.putSettings({ index: name, settings: { refresh_interval: '1s' } });
      await this.client.indices.refresh({ index: name });
      const { aliased, concrete } = await this.currentIndices();
      const actions: estypes.IndicesUpdateAliasesAction[] = [
        ...aliased.map((index) => ({ remove: { index, alias: this.alias } })),
        ...(concrete ? [{ remove_index: { index: concrete } }] : []),
        { add: { index: name, alias: this.alias } },
      ];
      await this.client.indices.updateAliases({ actions });
      this.ready = Promise.resolve();
      if (aliased.length > 0) await this.client.indices.delete({ index: aliased, ignore_unavailable: true });
    } catch (e) {
      await this.client.indices.delete({ index: name, ignore_unavailable: true }).catch(() => undefined);
      throw e;
    }
  }

  async upsert(docs: ProductDocument[]): Promise<void> {
    if (docs.length === 0) return;
    await this.ensureIndex();
    await this.load(this.alias, docs, 'wait_for');
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ensureIndex();
    for (let i = 0; i < ids.length; i += BULK_CHUNK) {
      const operations = ids.slice(i, i + BULK_CHUNK).map((id) => ({ delete: { _index: this.alias, _id: id } }));
      await this.bulk(operations, 'wait_for', [404]);
    }
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    await this.ensureIndex();
    const res = await this.client.search<unknown, Record<Dimension, FacetAggregate>>(buildSearchRequest(this.alias, query));
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const facets: SearchFacets = { category: {}, institution: {}, repayment: {} };
    for (const dim of dimensions) {
      for (const b of res.aggregations?.[dim]?.values.buckets ?? []) facets[dim][String(b.key)] = b.doc_count;
    }
    return { ids: res.hits.hits.map((h) => h._id).filter((id): id is string => id !== undefined), total, facets };
  }

  async count(): Promise<number> {
    try {
      return (await this.client.count({ index: this.alias })).count;
    } catch (e) {
      if (isNotFound(e)) return 0;
      throw e;
    }
  }

  async ping(): Promise<void> {
    const health = await this.client.cluster.health({ timeout: '5s' });
    if (health.status === 'red') throw new Error(`elasticsearch cluster ${health.cluster_name} is red`);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** deletes the alias and every index behind it (tests, decommissioning) */
  async drop(): Promise<void> {
    const { aliased, concrete } = await this.currentIndices();
    const names = [...aliased, ...(concrete ? [concrete] : [])];
    if (names.length > 0) await this.client.indices.delete({ index: names, ignore_unavailable: true });
    this.ready = undefined;
  }
}
