import { ElasticsearchSearchIndex } from './elasticsearch-index';
import { MemorySearchIndex } from './memory-index';
import type { SearchIndex } from './search.port';

export type { ProductDocument, SearchFacets, SearchIndex, SearchQuery, SearchResult, SearchSort } from './search.port';
export { searchSorts } from './search.port';
export { ElasticsearchSearchIndex, productIndexMappings } from './elasticsearch-index';
export { MemorySearchIndex } from './memory-index';
export { parseQuery, tokenize, tokenizeQuery } from './tokenizer';
export type { ParsedQuery, QueryTerm } from './tokenizer';

/** Elasticsearch when a URL is configured, otherwise the in-process index. */
export function createSearchIndex(elasticsearchUrl?: string): SearchIndex {
  return elasticsearchUrl ? new ElasticsearchSearchIndex({ node: elasticsearchUrl }) : new MemorySearchIndex();
}
