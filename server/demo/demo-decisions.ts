import { performance } from 'node:perf_hooks';
import type { Services } from '../container';
import { DEMO_HISTORY_COUNT, DEMO_HISTORY_SEED, generateDemoHistory, type RefitOutcome } from '../modules/odds';

export interface DemoDecisionsResult {
  generated: number;
  /** rows new to the database (the same seed repeats the ids: none) */
  added: number;
  approved: number;
  /** generating and writing the rows */
  writeMs: number;
  refit: RefitOutcome;
  /** loading the decisions, fitting and storing the model */
  refitMs: number;
}

/**
 * The demo's decided history (server/modules/odds/demo-history.ts: a known process, deterministic
 * for a seed and a date) for the listed products, written in bulk to `odds_history` (never to
 * `applications`: lead lists, statements, commissions and statistics do not see it), then the
 * first model fitted on it. Used by the demo seed and by `npm run generate-decisions`.
 */
export async function seedDemoDecisions(services: Services, options: { seed?: number; count?: number; now?: Date } = {}): Promise<DemoDecisionsResult> {
  const now = options.now ?? new Date();
  const started = performance.now();
  const rows = generateDemoHistory(services.catalogue.allListed(), { now, seed: options.seed ?? DEMO_HISTORY_SEED, count: options.count ?? DEMO_HISTORY_COUNT });
  const added = await services.odds.importHistory(rows);
  const writeMs = Math.round(performance.now() - started);
  const fitStarted = performance.now();
  const refit = await services.odds.refit('seed', now);
  return { generated: rows.length, added, approved: rows.filter((r) => r.approved).length, writeMs, refit, refitMs: Math.round(performance.now() - fitStarted) };
}
