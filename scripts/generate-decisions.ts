import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { seedDemoDecisions } from '../server/demo/demo-decisions';
import { DEMO_HISTORY_COUNT, DEMO_HISTORY_SEED } from '../server/modules/odds';

/**
 * `npm run generate-decisions -- [--count 3000] [--seed 20261206]`: writes synthetic decided
 * applications for the listed products into `odds_history` (source `demo`), drawn from the known
 * process of server/modules/odds/demo-history.ts (docs/odds.md, 演示数据), then refits the odds
 * model and prints its held-out scores against the base rate. Deterministic for a seed and a
 * date; running it again with the same seed adds nothing (the ids repeat; use another seed). The
 * demo seed does the same on first start; this is for a database seeded before it existed, or to
 * add more. Never in production. Exit codes: 0 done, 2 bad arguments or production.
 */
const usage = 'usage: npm run generate-decisions -- [--count 3000] [--seed 20261206]';

async function main(): Promise<number> {
  let values: { count?: string; seed?: string };
  try {
    ({ values } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  const count = values.count === undefined ? DEMO_HISTORY_COUNT : Number(values.count);
  const seed = values.seed === undefined ? DEMO_HISTORY_SEED : Number(values.seed);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000 || !Number.isInteger(seed)) {
    process.stderr.write(`--count must be a whole number 1–1000000 and --seed a whole number\n${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  if (config.env === 'production') {
    process.stderr.write('npm run generate-decisions: synthetic decisions are never written when NODE_ENV=production\n');
    return 2;
  }
  const container = await createContainer(config);
  try {
    if (!container.services.catalogue.allListed().length) {
      process.stderr.write('no listed products: seed the demo first (npm run seed)\n');
      return 2;
    }
    const r = await seedDemoDecisions(container.services, { count, seed });
    const lines = [
      `Generated ${r.generated} decided applications (${r.approved} approved, ${((100 * r.approved) / r.generated).toFixed(1)}%), ${r.added} new to the database, in ${r.writeMs} ms (seed ${seed}).`,
    ];
    if (r.refit.status === 'fitted') {
      const f = r.refit;
      lines.push(
        `Fitted model ${f.id} on ${f.decisions} decisions (${f.heldOut} held out) in ${f.fitMs} ms (load + fit + store ${r.refitMs} ms).`,
        `Held out: Brier ${f.brier.toFixed(4)} vs base rate ${f.brierBaseRate.toFixed(4)}; log loss ${f.logLoss.toFixed(4)} vs ${f.logLossBaseRate.toFixed(4)}; ECE ${f.ece.toFixed(4)}.`,
      );
    } else if (r.refit.status === 'unchanged') lines.push(`Model unchanged (${r.refit.decisions} decisions, as before).`);
    else lines.push(`Too few decisions to fit (${r.refit.decisions} < ${r.refit.needed}): every product stays 数据不足.`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await container.close();
  }
}

process.exitCode = await main();
