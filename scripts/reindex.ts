import { performance } from 'node:perf_hooks';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';

/**
 * Rebuilds the search index from the database: with ELASTICSEARCH_URL into a fresh
 * Elasticsearch index swapped in atomically behind the alias; without it, the in-process
 * index (which every app start builds anyway, so this is a check).
 */
const started = performance.now();
const container = await createContainer({ ...loadConfig(), seedDemo: false });
await container.services.catalogue.rebuild();
const count = await container.search.count();
process.stdout.write(
  `reindexed ${count} listed products into the ${container.search.kind} index in ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
);
await container.close();
