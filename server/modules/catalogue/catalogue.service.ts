import { LRUCache } from 'lru-cache';
import { listenOnChannel, type ChannelListener } from '../../adapters/postgres/channel-listener';
import type { Cache } from '../../adapters/redis';
import type { Database } from '../../db/client';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatWan } from '../../lib/money';
import { RepeatFilter } from '../../lib/repeat-filter';
import { shanghaiDate } from '../../lib/shanghai-date';
import { APR_LISTING_CAP, costSortChoice, productAprRange, type PriceFigures } from '../pricing';
import { rankProducts, type RankingWeights } from '../ranking';
import { defaultDictionary, parseQuery, searchSorts, understandQuery, type ProductDocument, type QueryUnderstanding, type RankingSignalValues, type SearchDictionary, type SearchIndex, type SearchQuery, type SearchFacets } from '../search';
import { CatalogueRepository, type BufferedEvent, type ImpressionCount, type ProductInsert, type ProductRow, type ProductStats } from './catalogue.repository';
import type { catalogueEventKinds, EventChannel, ProductStatus } from './catalogue.schema';
import { PriceMemo } from './price-memo';
import { pricingInput, toProductView, type ProductView } from './product-view';
import type { Clock } from '../../lib/clock';
import type { EventBus } from '../../lib/events';

export type NewProduct = Omit<ProductInsert, 'id' | 'createdAt' | 'updatedAt' | 'aprMin' | 'aprMax'>;
export type ProductPatch = Partial<NewProduct>;

/** 'ranked' is the default sort (综合排序): the weights operators set at /admin/ranking, promotion included as a labelled boost. */
export const catalogueSorts = ['ranked', ...searchSorts, 'cost'] as const;
export type CatalogueSort = (typeof catalogueSorts)[number];
export type CatalogueQuery = Omit<SearchQuery, 'sort'> & {
  sort: CatalogueSort;
  /** search the words as typed: no dictionary, no amounts or terms read from them */
  literal?: boolean;
};

/**
 * What the default sort reads besides the products: the weights in force and the promotions
 * running now. The complaint rates arrive as `complaints.ratesChanged` events.
 */
export interface RankingSignals {
  weights(): Promise<RankingWeights>;
  /** product id → kinds of promotion running now ('featured' boosts search results) */
  promotedNow(): Promise<ReadonlyMap<string, ReadonlySet<string>>>;
  /** institution id → share of its recent offers above the advertised range */
  aboveAdvertised?(): Promise<ReadonlyMap<string, number>>;
}

/** Most candidates the default sort ranks: the best 1,000 matches by relevance (words searched) or popularity. */
const RANKED_CANDIDATES = 1000;
/** the default sort without ranking signals: relevance only */
const NO_SIGNAL_WEIGHTS: RankingWeights = { relevance: 1, apr: 0, approval: 0, complaints: 0, promotion: 0, pricing: 0 };
const NO_PROMOTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map();
const NO_SHARES: ReadonlyMap<string, number> = new Map();

export interface ProductPage {
  items: ProductView[];
  total: number;
  page: number;
  pageSize: number;
  facets: SearchFacets;
  /** how the words were read (only when something was: 买车 → 车贷, 5万 → 金额 5 万) */
  understanding?: QueryUnderstanding;
  /**
   * Nothing matched (items is empty, total 0): the nearest alternatives, found by dropping these
   * conditions in order. Never counted as matches.
   */
  relaxed?: { dropped: string[]; items: ProductView[]; total: number };
}

/** The query with what was understood applied; what the visitor set explicitly wins. */
function withUnderstanding(query: CatalogueQuery, u: QueryUnderstanding): CatalogueQuery {
  const { employment, amountFen, termMonths } = u.filters;
  return {
    ...query,
    q: u.text || undefined,
    amountFen: query.amountFen ?? amountFen,
    termMonths: query.termMonths ?? termMonths,
    eligibleFor: employment && !query.eligibleFor?.employment ? { ...query.eligibleFor, employment } : query.eligibleFor,
    sort: u.sort && query.sort === 'ranked' ? u.sort : query.sort,
  };
}

/** The words of a search text that relaxing may drop one by one (exclusions like -免抵押 stay). */
function wordsOf(text: string): { words: string[]; exclusions: string[] } {
  const parts = text.split(/\s+/).filter(Boolean);
  const exclusions = parts.filter((w) => w.length > 1 && w.startsWith('-'));
  let words = parts.filter((w) => !exclusions.includes(w));
  if (words.length === 1 && !words[0]!.startsWith('"')) {
    const terms = parseQuery(words[0]!).required.map((t) => t.text);
    if (terms.length > 1) words = terms;
  }
  return { words, exclusions };
}

const quoted = (word: string) => `“${word.replace(/^"|"$/g, '')}”`;

export type CatalogueEventKind = Exclude<(typeof catalogueEventKinds)[number], 'impression'>;

/** buffered browse events are written this long after the first of a batch, or at EVENT_BATCH */
const EVENT_FLUSH_MS = 5_000;
const EVENT_BATCH = 2_000;
/**
 * Impression counts are totals per day and product: written every 30 s, so a product shown on
 * many pages in that time is one row, not one per second.
 */
const IMPRESSION_FLUSH_MS = 30_000;
/** lists counted by identity before they are added up per product (a kept result page is the same array every time) */
const MAX_PENDING_LISTS = 1_000;

/**
 * Impression counts of one (day, channel, list), `row`, not yet written. A kept result page is the same
 * array each time it is shown, so counting it is one map update (`lists`); the lists are added up
 * per product (`products`) when they grow many (distinct searches) and when the counts are written.
 */
interface PendingImpressions {
  row: Pick<ImpressionCount, 'day' | 'channel' | 'list'>;
  lists: Map<readonly string[], number>;
  products: Map<string, number>;
}

function foldLists(pending: PendingImpressions): void {
  for (const [ids, times] of pending.lists) for (const id of ids) pending.products.set(id, (pending.products.get(id) ?? 0) + times);
  pending.lists.clear();
}

/**
 * Rows per insert statement when writing the buffers. On PGlite each statement runs on the serving
 * thread and every request waits behind it: 100 rows take ~3 ms (p99 ~10 ms) where 250 took ~8 ms
 * (p99 ~20–25 ms), at the same events per second (`npm run bench:pglite-writes -- --rows 250`).
 */
export const WRITE_CHUNK = 100;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** how long a search result may be served from cache (entries are dropped at once when products, weights or promotions change) */
export const SEARCH_CACHE_SECONDS = 30;

/** Approval rate smoothed towards 60% so a product with two decisions does not look perfect. */
export function smoothedApprovalRate(s: ProductStats | undefined): number {
  return ((s?.approved ?? 0) + 3) / ((s?.decided ?? 0) + 5);
}

/** Search words without digit runs (people paste phone and ID numbers into search boxes). */
export function scrubQuery(q: string | undefined): string | null {
  if (!q) return null;
  const cleaned = q.replace(/\d{5,}/g, '').replace(/\s+/g, ' ').trim().slice(0, 50);
  return cleaned || null;
}

export interface CatalogueServiceDeps {
  clock: Clock;
  db: Database;
  search: SearchIndex;
  cache: Cache;
  events: EventBus;
  /** without them the default sort uses the default weights and no promotions */
  signals?: RankingSignals;
  /** the search dictionary in force (SearchDictionaryService.active); the code default without it */
  dictionary?: () => Promise<SearchDictionary>;
}

/**
 * The catalogue: products, their honest prices, the search index kept in step, cached
 * search results (Redis when configured), and browse events.
 */
/** NOTIFYed at commit by the triggers on products and institutions (migration 0040) */
const CATALOGUE_CHANGED_CHANNEL = 'catalogue_changed';

export class CatalogueService {
  private readonly repo: CatalogueRepository;
  /** listed products of active institutions, as consumers see them */
  private listed = new Map<string, ProductView>();
  private stats = new Map<string, ProductStats>();
  private fingerprint = '';
  private pendingEvents: BufferedEvent[] = [];
  /** impression counts not yet written, by (day, channel, list) */
  private readonly pendingImpressions = new Map<string, PendingImpressions>();
  private eventTimer: NodeJS.Timeout | undefined;
  /** complaints per application over the last 90 days, by product (from `complaints.ratesChanged`) */
  private complaintRates: ReadonlyMap<string, number> = new Map();

  constructor(private readonly deps: CatalogueServiceDeps) {
    this.repo = new CatalogueRepository(deps.db);
    // cached result pages are dropped when the ranking weights or the promotions change
    deps.events.on('ranking.changed', () => this.invalidateResults());
    deps.events.on('promotions.changed', () => this.invalidateResults());
    deps.events.on('complaints.ratesChanged', ({ rates }) => {
      this.complaintRates = rates;
    });
    // a new dictionary version: cached results go; an index applying synonyms itself is rebuilt with them
    deps.events.on('search.dictionaryChanged', () => this.dictionaryChanged());
  }

  /** the dictionary version the cached results were made with (part of every cache key) */
  private dictionaryVersion = defaultDictionary.version;

  private async dictionary(): Promise<SearchDictionary> {
    const dictionary = this.deps.dictionary ? await this.deps.dictionary() : defaultDictionary;
    if (dictionary.version !== this.dictionaryVersion) {
      // another instance saved a version: what was cached here was read with the old one
      this.dictionaryVersion = dictionary.version;
      await this.dropCachedResults();
    }
    return dictionary;
  }

  private async dictionaryChanged(): Promise<void> {
    const dictionary = await this.dictionary();
    if (this.deps.search.useDictionary?.(dictionary)) await this.rebuild();
    else await this.dropCachedResults();
  }

  /**
   * Loads the listed catalogue into the read model and the search index. Other instances' product
   * changes and the statistics are picked up by the catalogue's tickers (catalogue.jobs.ts).
   */
  async start(): Promise<void> {
    for (const row of await this.repo.withoutPricing()) await this.repo.update(row.id, this.pricing(row));
    await this.rebuild();
  }

  /** Writes what is buffered (waiting for a write under way) before the database closes: no event is lost on shutdown. */
  async stop(): Promise<void> {
    await this.flushEvents().catch(() => undefined);
  }

  async rebuild(): Promise<void> {
    if (this.deps.search.useDictionary) this.deps.search.useDictionary(await this.dictionary());
    this.fingerprint = await this.repo.fingerprint();
    this.stats = await this.repo.stats();
    const rows = await this.repo.listedWithInstitution();
    this.listed = new Map(rows.map((r) => [r.product.id, toProductView(r)]));
    await this.deps.search.replaceAll([...this.listed.values()].map((v) => this.document(v)));
    await this.dropCachedResults();
  }

  async syncIfChanged(): Promise<boolean> {
    if ((await this.repo.fingerprint()) === this.fingerprint) return false;
    await this.rebuild();
    return true;
  }

  /** LISTENs for committed product and institution changes (migration 0040's triggers), from any instance. */
  listenForChanges(onChange: () => void): ChannelListener {
    return listenOnChannel(this.deps.db, CATALOGUE_CHANGED_CHANNEL, onChange);
  }

  async refreshStats(): Promise<void> {
    this.stats = await this.repo.stats();
    await this.deps.search.upsert([...this.listed.values()].map((v) => this.document(v)));
    await this.dropCachedResults();
  }

  private document(v: ProductView): ProductDocument {
    const s = this.stats.get(v.id);
    return {
      id: v.id,
      name: v.name,
      institutionId: v.institutionId,
      institutionName: v.institutionName,
      institutionFullName: v.institutionFullName,
      category: v.category,
      summary: v.summary,
      tags: v.tags,
      minAmountFen: v.minAmountFen,
      maxAmountFen: v.maxAmountFen,
      termOptions: v.termOptions,
      repaymentMethods: v.repaymentMethods,
      aprMin: v.apr.min,
      aprMax: v.apr.max,
      decisionMinutes: v.decisionMinutes,
      disbursementHours: v.disbursementHours,
      popularity: (s?.applications30d ?? 0) * 5 + (s?.clicks30d ?? 0),
      approvalRate: smoothedApprovalRate(s),
      eligibility: v.eligibility,
      updatedAt: v.updatedAt.toISOString(),
    };
  }

  private pricing(p: Pick<ProductRow, keyof ReturnType<typeof pricingInput>> & Partial<ProductRow>) {
    const range = productAprRange(pricingInput(p as ProductRow));
    return { aprMin: range.min.toFixed(6), aprMax: range.max.toFixed(6) };
  }

  private validate(p: NewProduct & { aprMax: string }): void {
    const fields: Record<string, string> = {};
    if (!(p.minAmountFen > 0)) fields.minAmount = '最低额度须大于 0';
    if (!(p.maxAmountFen >= p.minAmountFen)) fields.maxAmount = '最高额度不能低于最低额度';
    if (!p.termOptions.length || p.termOptions.some((t) => !Number.isInteger(t) || t < 1 || t > 360)) fields.termOptions = '期限须为 1–360 的整数月';
    if (!p.repaymentMethods.length) fields.repaymentMethods = '至少提供一种还款方式';
    if (Number(p.rateMax) < Number(p.rateMin)) fields.rateMax = '最高利率不能低于最低利率';
    if (p.status === 'listed' && Number(p.aprMax) > APR_LISTING_CAP) {
      fields.aprMax = `综合年化利率最高可达 ${(Number(p.aprMax) * 100).toFixed(2)}%，超过 36% 的产品不能上架`;
    }
    if (Object.keys(fields).length) throw new ValidationError('产品信息不符合要求', fields);
  }

  async create(input: NewProduct): Promise<ProductRow> {
    const full = { ...input, ...this.pricing(input as ProductRow) };
    this.validate(full);
    const row = await this.repo.insert({ id: newId('prd'), ...full });
    await this.changed(row.id);
    return row;
  }

  /** Many products at once (imports, seeding): validated one by one, inserted in batches, indexed once. */
  async createMany(inputs: NewProduct[]): Promise<number> {
    const rows = inputs.map((input) => {
      const full = { ...input, ...this.pricing(input as ProductRow) };
      this.validate(full);
      return { id: newId('prd'), ...full };
    });
    for (let i = 0; i < rows.length; i += 500) await this.repo.insertMany(rows.slice(i, i + 500));
    await this.rebuild();
    return rows.length;
  }

  async update(id: string, patch: ProductPatch): Promise<ProductRow> {
    const current = await this.repo.find(id);
    if (!current) throw new NotFoundError('产品');
    const merged = { ...current.product, ...patch };
    const full = { ...merged, ...this.pricing(merged) };
    this.validate(full);
    const row = await this.repo.update(id, { ...patch, aprMin: full.aprMin, aprMax: full.aprMax });
    await this.changed(id);
    return row!;
  }

  setStatus(id: string, status: ProductStatus): Promise<ProductRow> {
    return this.update(id, { status });
  }

  /** Keeps the read model, the search index and the cache in step with one product. */
  private async changed(id: string): Promise<void> {
    const [row] = await this.repo.listedWithInstitution([id]);
    if (row) {
      const view = toProductView(row);
      this.listed.set(id, view);
      await this.deps.search.upsert([this.document(view)]);
    } else if (this.listed.delete(id)) {
      await this.deps.search.remove([id]);
    }
    this.fingerprint = await this.repo.fingerprint();
    await this.dropCachedResults();
  }

  /**
   * Bumped whenever cached results are dropped (a product changed, ranking weights or promotions
   * changed): response caches in front of the catalogue compare it to know their entries are stale.
   */
  resultsVersion = 0;

  private async dropCachedResults(): Promise<void> {
    this.resultsVersion++;
    await this.deps.cache.invalidate('catalogue');
  }

  /** the labelled (推广) copy of each product version, made once so what is cached per view (its JSON, its prices) is reused */
  private readonly promotedViews = new WeakMap<ProductView, ProductView>();

  private promotedView(view: ProductView): ProductView {
    let copy = this.promotedViews.get(view);
    if (!copy) this.promotedViews.set(view, (copy = { ...view, promoted: true }));
    return copy;
  }

  /** the signal maps last handed to the index (the sources return the same map until they re-read) */
  private signalsGiven: { complaints: unknown; promoted: unknown; above: unknown } = { complaints: undefined, promoted: undefined, above: undefined };

  private syncRankingSignals(
    give: (signals: RankingSignalValues) => void,
    promoted: ReadonlyMap<string, ReadonlySet<string>>,
    aboveAdvertised: ReadonlyMap<string, number>,
  ): void {
    const given = this.signalsGiven;
    if (given.complaints === this.complaintRates && given.promoted === promoted && given.above === aboveAdvertised) return;
    const featured = new Set<string>();
    for (const [id, kinds] of promoted) if (kinds.has('featured')) featured.add(id);
    give({ complaintRate: this.complaintRates, featured, aboveAdvertisedShare: aboveAdvertised });
    this.signalsGiven = { complaints: this.complaintRates, promoted, above: aboveAdvertised };
  }

  /** A product's complaint rate as the default sort reads it (0 when none). */
  complaintRate(productId: string): number {
    return this.complaintRates.get(productId) ?? 0;
  }

  /** Drops cached result pages (after ranking weights or promotions change). */
  async invalidateResults(): Promise<void> {
    await this.dropCachedResults();
  }

  /** Listed products with a promotion of this kind running now, and the promotion weight in force. */
  async promotedNow(kind: 'recommendation' | 'featured'): Promise<{ ids: Set<string>; weight: number }> {
    if (!this.deps.signals) return { ids: new Set(), weight: 0 };
    const [weights, promoted] = await Promise.all([this.deps.signals.weights(), this.deps.signals.promotedNow()]);
    const ids = new Set([...promoted].filter(([id, kinds]) => kinds.has(kind) && this.listed.has(id)).map(([id]) => id));
    return { ids, weight: weights.promotion };
  }

  /**
   * Search as borrowers write: the words are read first (understandQuery: dictionary, amounts
   * and terms, negations) unless `literal`; when nothing matches, conditions are relaxed step by
   * step (the amount and term, then the words that matter least) and the page says what was dropped.
   */
  async searchListed(query: CatalogueQuery): Promise<ProductPage> {
    const understanding = query.q && !query.literal ? this.understand(query.q, await this.dictionary()) : undefined;
    const effective = understanding ? withUnderstanding(query, understanding) : query;
    const found = await this.searchExactly(effective);
    const page = understanding && understanding.understood.length > 0 ? { ...found, understanding } : found;
    if (found.total > 0 || query.page > 1 || !(effective.q || effective.amountFen !== undefined || effective.termMonths !== undefined)) return page;
    const relaxed = await this.relax(effective);
    return relaxed ? { ...page, relaxed } : page;
  }

  /** how the words were read, per dictionary version (people search the same words again and again) */
  private readonly understood = new LRUCache<string, QueryUnderstanding>({ max: 10_000 });

  private understand(q: string, dictionary: SearchDictionary): QueryUnderstanding {
    const key = `${dictionary.version}\u0000${q}`;
    let u = this.understood.get(key);
    if (!u) this.understood.set(key, (u = understandQuery(q, dictionary)));
    return u;
  }

  /** Drops the amount and term, then the least useful words, until something matches. */
  private async relax(query: CatalogueQuery): Promise<ProductPage['relaxed']> {
    const dropped: string[] = [];
    const found = (page: ProductPage) => ({ dropped, items: page.items, total: page.total });
    let current = query;
    if (current.amountFen !== undefined || current.termMonths !== undefined) {
      if (current.amountFen !== undefined) dropped.push(`“金额 ${formatWan(current.amountFen)}”`);
      if (current.termMonths !== undefined) dropped.push(`“期限 ${current.termMonths} 期”`);
      current = { ...current, amountFen: undefined, termMonths: undefined };
      const page = await this.searchExactly(current);
      if (page.total > 0) return found(page);
    }
    const { words: typed, exclusions } = wordsOf(current.q ?? '');
    let words = typed;
    while (words.length > 0) {
      // the word whose absence finds the most; the last one typed when none does
      let best: { i: number; page: ProductPage } | undefined;
      for (let i = 0; i < words.length && words.length > 1; i++) {
        const q = [...words.slice(0, i), ...words.slice(i + 1), ...exclusions].join(' ');
        const page = await this.searchExactly({ ...current, q });
        if (page.total > (best?.page.total ?? 0)) best = { i, page };
      }
      const i = best?.i ?? words.length - 1;
      dropped.push(quoted(words[i]!));
      words = [...words.slice(0, i), ...words.slice(i + 1)];
      if (best) return found(best.page);
      if (words.length === 0) {
        const page = await this.searchExactly({ ...current, q: undefined });
        return page.total > 0 ? found(page) : undefined;
      }
      current = { ...current, q: [...words, ...exclusions].join(' ') };
    }
    return undefined;
  }

  /** searches asked lately (by cache key): a result is kept from the second asking of its search on */
  private readonly repeatedSearches = new RepeatFilter({ windowMs: SEARCH_CACHE_SECONDS * 1000 });

  /**
   * A search's result from the cache, else computed, and kept for SEARCH_CACHE_SECONDS when the
   * same search was asked lately (RepeatFilter): most typed searches are asked once, and keeping
   * each of those only gave the garbage collector work (an old-space entry per search, never hit).
   */
  private keptSearch<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return this.deps.cache.wrap('catalogue', key, SEARCH_CACHE_SECONDS, compute, () => this.repeatedSearches.seenBefore(key));
  }

  private async searchExactly(query: CatalogueQuery): Promise<ProductPage> {
    if (query.sort === 'ranked') return this.searchRanked(query);
    if (query.sort === 'cost') return this.searchByCost(query);
    const searchQuery: SearchQuery = { ...query, sort: query.sort };
    const result = await this.keptSearch(`search:d${this.dictionaryVersion}:${JSON.stringify(query)}`, () => this.deps.search.search(searchQuery));
    const items = result.ids.map((id) => this.listed.get(id)).filter((v): v is ProductView => v !== undefined);
    return { items, total: result.total, page: query.page, pageSize: query.pageSize, facets: result.facets };
  }

  /**
   * 综合排序: the best candidates by relevance (words searched) or popularity, re-ordered by the
   * weighted signals. Products with a featured promotion running now get the promotion weight and
   * are labelled; nothing is filtered out by a promotion.
   */
  private async searchRanked(query: CatalogueQuery): Promise<ProductPage> {
    const result = await this.keptSearch(`ranked:d${this.dictionaryVersion}:${JSON.stringify(query)}`, async () => {
      const [weights, promoted, aboveAdvertised] = this.deps.signals
        ? await Promise.all([this.deps.signals.weights(), this.deps.signals.promotedNow(), this.deps.signals.aboveAdvertised?.() ?? NO_SHARES])
        : [NO_SIGNAL_WEIGHTS, NO_PROMOTIONS, NO_SHARES];
      const index = this.deps.search;
      if (index.searchRanked && index.setRankingSignals) {
        // ranked inside the index on its per-product arrays; the signals are handed over only when one of them changed
        this.syncRankingSignals(index.setRankingSignals.bind(index), promoted, aboveAdvertised);
        return index.searchRanked({ ...query, sort: 'relevance' }, { weights, candidates: RANKED_CANDIDATES, byPosition: !!query.q });
      }
      const base = await index.search({ ...query, sort: query.q ? 'relevance' : 'popularity', page: 1, pageSize: RANKED_CANDIDATES });
      const n = base.ids.length;
      const candidates = base.ids
        .map((id, i) => ({ id, i, view: this.listed.get(id) }))
        .filter((c) => c.view !== undefined)
        .map(({ id, i, view }) => ({
          id,
          relevance: query.q && n > 1 ? 1 - i / (n - 1) : query.q ? 1 : 0,
          aprMin: view!.apr.min,
          approvalRate: smoothedApprovalRate(this.stats.get(id)),
          complaintRate: this.complaintRate(id),
          promoted: promoted.get(id)?.has('featured') ?? false,
          aboveAdvertisedShare: aboveAdvertised.get(view!.institutionId) ?? 0,
        }));
      const ranked = rankProducts(candidates, weights);
      const start = (query.page - 1) * query.pageSize;
      const pageItems = ranked.slice(start, start + query.pageSize).map((r) => r.item);
      return { ids: pageItems.map((c) => c.id), promoted: pageItems.filter((c) => c.promoted).map((c) => c.id), total: base.total, facets: base.facets };
    });
    const promoted = new Set(result.promoted);
    const items = result.ids
      .map((id) => this.listed.get(id))
      .filter((v): v is ProductView => v !== undefined)
      .map((v) => (promoted.has(v.id) ? this.promotedView(v) : v));
    return { items, total: result.total, page: query.page, pageSize: query.pageSize, facets: result.facets };
  }

  /**
   * 总成本最低: the best matches (filters applied by the index) ordered by the total cost at the
   * product's highest rate, then at its lowest, then by APR. Products that do not lend the amount
   * and term priced (possible only when the query gave none) come last, by APR.
   */
  private async searchByCost(query: CatalogueQuery): Promise<ProductPage> {
    const result = await this.keptSearch(`cost:d${this.dictionaryVersion}:${JSON.stringify(query)}`, async () => {
      const base = await this.deps.search.search({ ...query, sort: 'apr', page: 1, pageSize: RANKED_CANDIDATES });
      const choice = costSortChoice(query);
      const priced = base.ids
        .map((id) => this.listed.get(id))
        .filter((v): v is ProductView => v !== undefined)
        .map((view) => {
          const price = this.priceOf(view, choice.amountFen, choice.termMonths, choice.method);
          return { id: view.id, high: price?.totalCostHigh ?? Infinity, low: price?.totalCostLow ?? Infinity, apr: view.apr.max };
        });
      priced.sort((a, b) => a.high - b.high || a.low - b.low || a.apr - b.apr || a.id.localeCompare(b.id));
      const start = (query.page - 1) * query.pageSize;
      return { ids: priced.slice(start, start + query.pageSize).map((p) => p.id), total: base.total, facets: base.facets };
    });
    const items = result.ids.map((id) => this.listed.get(id)).filter((v): v is ProductView => v !== undefined);
    return { items, total: result.total, page: query.page, pageSize: query.pageSize, facets: result.facets };
  }

  private readonly prices = new PriceMemo();

  /**
   * A listed product's price range for an amount and term, in the method asked for when the
   * product offers it (else its first), or undefined when it does not lend that amount for that
   * term; memoised per product version (PriceMemo).
   */
  priceOf(view: ProductView, amountFen: number, termMonths: number, method?: string): PriceFigures | undefined {
    return this.prices.priceOf(view, amountFen, termMonths, method);
  }

  /** Every listed product (for recommendations and comparisons). */
  allListed(): ProductView[] {
    return [...this.listed.values()];
  }

  getListed(id: string): ProductView {
    const view = this.listed.get(id);
    if (!view) throw new NotFoundError('产品');
    return view;
  }

  outcomes(id: string): { approvalRate: number; decided: number; applications30d: number } {
    const s = this.stats.get(id);
    return { approvalRate: smoothedApprovalRate(s), decided: s?.decided ?? 0, applications30d: s?.applications30d ?? 0 };
  }

  async get(id: string): Promise<ProductView> {
    const row = await this.repo.find(id);
    if (!row) throw new NotFoundError('产品');
    return toProductView(row);
  }

  async listForInstitution(institutionId: string): Promise<ProductView[]> {
    return (await this.repo.forInstitution(institutionId)).map(toProductView);
  }

  /** Institutions with listed products, for filter labels. */
  listedInstitutions(): { id: string; name: string }[] {
    const seen = new Map<string, string>();
    for (const v of this.listed.values()) seen.set(v.institutionId, v.institutionName);
    return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  /**
   * Records a browse event. Events are buffered and written in batches off the request path
   * (EVENT_FLUSH_MS after the first one, or at EVENT_BATCH), so recording never slows a search
   * down; `flushEvents` writes what is pending, and stop() does before the database closes.
   */
  recordEvent(
    visitor: string,
    kind: CatalogueEventKind,
    data: {
      productId?: string;
      query?: string;
      filters?: Record<string, unknown>;
      channel?: EventChannel;
      /** a search: how many products matched (the search report lists those that found none) */
      results?: number;
      /** when it happened; now when not given */
      at?: Date;
    } = {},
  ): void {
    this.buffer({
      visitor,
      kind,
      channel: data.channel ?? 'web',
      product_id: data.productId ?? null,
      query: scrubQuery(data.query),
      filters: data.filters ?? {},
      result_count: data.results ?? null,
      at_ms: data.at?.getTime() ?? Date.now(),
    });
  }

  /**
   * Counts the products a list showed (a result page, recommendations; `list` names which).
   * No visitor is kept: impressions are totals per Shanghai day, product, channel and list.
   */
  recordImpressions(_visitor: string, productIds: readonly string[], list: string, channel: EventChannel = 'web'): void {
    const day = this.shanghaiDay();
    const key = `${day}\u0000${channel}\u0000${list}`;
    let pending = this.pendingImpressions.get(key);
    if (!pending) this.pendingImpressions.set(key, (pending = { row: { day, channel, list }, lists: new Map(), products: new Map() }));
    pending.lists.set(productIds, (pending.lists.get(productIds) ?? 0) + 1);
    if (pending.lists.size >= MAX_PENDING_LISTS) foldLists(pending);
    this.impressionTimer ??= setTimeout(() => void this.write({ events: false, impressions: true }).catch(() => undefined), IMPRESSION_FLUSH_MS).unref();
  }

  /** today's date in Shanghai, worked out once a minute (days start on a whole minute) */
  private shanghaiDay(): string {
    const minute = Math.floor(this.deps.clock.now().getTime() / 60_000);
    if (minute !== this.dayMinute) {
      this.dayMinute = minute;
      this.day = shanghaiDate(new Date(minute * 60_000));
    }
    return this.day;
  }
  private dayMinute = NaN;
  private day = '';

  private buffer(event: BufferedEvent): void {
    this.pendingEvents.push(event);
    if (this.pendingEvents.length >= EVENT_BATCH) void this.write({ events: true, impressions: false }).catch(() => undefined);
    else this.eventTimer ??= setTimeout(() => void this.write({ events: true, impressions: false }).catch(() => undefined), EVENT_FLUSH_MS).unref();
  }

  private impressionTimer: NodeJS.Timeout | undefined;
  /** the writes under way, so stop() and readers wait for them */
  private flushing: Promise<void> = Promise.resolve();

  /** Writes every buffered event and impression count (after any write already under way). */
  flushEvents(): Promise<void> {
    return this.write({ events: true, impressions: true });
  }

  /**
   * Writes the buffered events, the impression counts, or both, after any write already under way.
   * A full batch of events writes only the events: the impression counts wait for their own
   * timer, so a product shown many times in those 30 s is still one row.
   */
  private write(what: { events: boolean; impressions: boolean }): Promise<void> {
    const next = this.flushing.then(() => this.writePending(what));
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async writePending(what: { events: boolean; impressions: boolean }): Promise<void> {
    let batch: BufferedEvent[] = [];
    if (what.events) {
      clearTimeout(this.eventTimer);
      this.eventTimer = undefined;
      batch = this.pendingEvents.splice(0);
    }
    const impressions: ImpressionCount[] = [];
    if (what.impressions) {
      clearTimeout(this.impressionTimer);
      this.impressionTimer = undefined;
      for (const pending of this.pendingImpressions.values()) {
        foldLists(pending);
        for (const [product_id, count] of pending.products) impressions.push({ ...pending.row, product_id, count });
      }
      this.pendingImpressions.clear();
    }
    // in statements of a few hundred rows, letting requests in between: with the embedded
    // database each statement runs on this thread, and one of thousands of rows stalls every
    // request waiting behind it
    for (let i = 0; i < batch.length; i += WRITE_CHUNK) {
      if (i > 0) await yieldToRequests();
      await this.repo.insertEvents(batch.slice(i, i + WRITE_CHUNK));
    }
    for (let i = 0; i < impressions.length; i += WRITE_CHUNK) {
      if (i > 0 || batch.length > 0) await yieldToRequests();
      await this.repo.addImpressions(impressions.slice(i, i + WRITE_CHUNK));
    }
  }

  async recentEvents(visitor: string, limit = 50) {
    await this.flushEvents();
    return this.repo.recentEvents(visitor, limit);
  }
}
