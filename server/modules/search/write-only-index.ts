import type { ProductDocument, SearchIndex, SearchQuery, SearchResult } from './search.port';

/**
 * A search index that keeps nothing, for a process that only writes the catalogue and exits
 * (the demo seed's child process, server/seed-child.ts): every start rebuilds its own index from the
 * database (CatalogueService.start), so indexing here would only cost the tokenizer's dictionary
 * (~1 s, ~50 MB) and the segmenting of every product. Searching it is a mistake and throws.
 */
export class WriteOnlySearchIndex implements SearchIndex {
  readonly kind = 'memory' as const;
  private documents = 0;

  async replaceAll(docs: ProductDocument[]): Promise<void> {
    this.documents = docs.length;
  }

  async upsert(docs: ProductDocument[]): Promise<void> {
    this.documents += docs.length;
  }

  async remove(): Promise<void> {}

  search(query: SearchQuery): Promise<SearchResult> {
    return Promise.reject(new Error(`this process keeps no search index (asked for "${query.q ?? ''}")`));
  }

  /** the documents written to it, for a check that the catalogue did write through it */
  async count(): Promise<number> {
    return this.documents;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
