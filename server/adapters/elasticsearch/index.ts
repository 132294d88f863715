import { MemorySearchIndex, type SearchIndex } from '../../modules/search';
import { ElasticsearchSearchIndex } from './elasticsearch-index';

export { ElasticsearchSearchIndex, productIndexMappings, productIndexSettings, synonymRules } from './elasticsearch-index';

/** The search port's adapter: Elasticsearch when a URL is configured, otherwise the in-process index. */
export function createSearchIndex(elasticsearchUrl?: string): SearchIndex {
  return elasticsearchUrl ? new ElasticsearchSearchIndex({ node: elasticsearchUrl }) : new MemorySearchIndex();
}
