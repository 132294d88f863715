export type { ProductDocument, SearchFacets, SearchIndex, SearchQuery, SearchResult, SearchSort } from './search.port';
export { searchSorts } from './search.port';
export { MemorySearchIndex } from './memory-index';
export { isCjk, isLatinWord, parseQuery, tokenize, tokenizeQuery } from './tokenizer';
export type { ParsedQuery, QueryTerm } from './tokenizer';
export { understandQuery } from './query-understanding';
export type { QueryUnderstanding, UnderstoodFilters } from './query-understanding';
export { defaultDictionary } from './dictionary';
export type { SearchDictionary, SearchIntent } from './dictionary';
