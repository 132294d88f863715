import type { Eligibility } from '../catalogue/catalogue.schema';
import type { EligibilityProfile } from '../catalogue';
import type { RankingWeights } from '../ranking';
import type { SearchDictionary } from './dictionary';

/** What the search index holds for one listed product. Money in fen, rates as fractions. */
export interface ProductDocument {
  id: string;
  name: string;
  institutionId: string;
  institutionName: string;
  /** full legal name too, so 华商银行股份有限公司 and 华商 both match */
  institutionFullName: string;
  category: string;
  summary: string;
  tags: string[];
  minAmountFen: number;
  maxAmountFen: number;
  termOptions: number[];
  repaymentMethods: string[];
  /** all-in APR range (IRR, every fee included) over the product's terms and methods */
  aprMin: number;
  aprMax: number;
  decisionMinutes: number;
  disbursementHours: number;
  /** higher = more chosen lately (applications and clicks) */
  popularity: number;
  /** share of decided applications approved, smoothed; 0–1 */
  approvalRate: number;
  eligibility: Eligibility;
  /** ISO time the product was listed or last changed */
  updatedAt: string;
}

export const searchSorts = ['relevance', 'apr', 'amount', 'speed', 'popularity'] as const;
export type SearchSort = (typeof searchSorts)[number];

export interface SearchQuery {
  /** free text in Chinese or Latin letters */
  q?: string;
  /** the amount I need: product range must contain it */
  amountFen?: number;
  /** the term I need: must be one of the product's options */
  termMonths?: number;
  /** products whose lowest all-in APR is at most this */
  aprMax?: number;
  category?: string[];
  institution?: string[];
  repayment?: string[];
  /** only products whose eligibility rules this profile meets */
  eligibleFor?: EligibilityProfile;
  sort: SearchSort;
  page: number;
  pageSize: number;
}

/**
 * Facet counts: for each dimension, how many products match every other filter plus that
 * value (so choosing 信用贷 still shows how many 消费贷 there are).
 */
export interface SearchFacets {
  category: Record<string, number>;
  institution: Record<string, number>;
  repayment: Record<string, number>;
}

export interface SearchResult {
  /** product ids of the requested page, in order */
  ids: string[];
  total: number;
  facets: SearchFacets;
}

/** What the default sort (综合排序) reads besides the product documents; replaced whole when any of it changes. */
export interface RankingSignalValues {
  /** complaints per application, by product id (0 when absent) */
  complaintRate: ReadonlyMap<string, number>;
  /** products with a featured promotion running now */
  featured: ReadonlySet<string>;
  /** share of recent offers above the advertised range, by institution id (0 when absent) */
  aboveAdvertisedShare: ReadonlyMap<string, number>;
}

/** 综合排序 inside the index: the best `candidates` matches re-ordered by the weighted signals (rankProducts). */
export interface RankedSearch {
  weights: RankingWeights;
  /** how many of the best matches are ranked (by relevance when `byPosition`, else by popularity) */
  candidates: number;
  /** words were searched: a candidate's relevance signal is its position among the candidates (1 for the first … 0 for the last) */
  byPosition: boolean;
}

export interface RankedResult extends SearchResult {
  /** the ids of the page that got the promotion boost (labelled 推广) */
  promoted: string[];
}

/** The search port. Adapters: in-process (default) and Elasticsearch. */
export interface SearchIndex {
  readonly kind: 'memory' | 'elasticsearch';
  /** replaces everything (used at start-up and by scripts/reindex.ts) */
  replaceAll(docs: ProductDocument[]): Promise<void>;
  upsert(docs: ProductDocument[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  count(): Promise<number>;
  /**
   * Gives the index the search dictionary in force, for adapters that apply it themselves
   * (Elasticsearch: a synonym_graph filter in the search analyzer). Returns true when the index
   * must be rebuilt (replaceAll) to take it. The in-process index has none: query understanding
   * applies the dictionary before either adapter is asked.
   */
  useDictionary?(dictionary: SearchDictionary): boolean;
  /**
   * Adapters that rank inside the index (the in-process one, on dense per-product arrays) take
   * the signals here and answer searchRanked; the catalogue ranks the others' candidates itself.
   */
  setRankingSignals?(signals: RankingSignalValues): void;
  searchRanked?(query: SearchQuery, ranked: RankedSearch): Promise<RankedResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
