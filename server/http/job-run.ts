import { z } from 'zod';
import type { TickerRecord } from '../jobs/job';
import { outcomeLabels } from '../jobs/run-view';

// the jobs page's presentation helpers, so surfaces reach them through server/http
export { describeCron } from '../jobs/cron-text';
export { runMessage, runView } from '../jobs/run-view';

/** A job's name in a path: `statements-close`, `loan-reminders` and the like. */
export const jobNameParam = z.string().min(1, '任务名不能为空').max(80, '任务名过长').regex(/^[A-Za-z0-9_.:-]+$/, '任务名格式无效');

const tickerScopeLabels: Record<TickerRecord['scope'], string> = { instance: '每个进程', worker: '后台任务进程' };

/** 每 2 秒, 每 1 分钟, 每 1.5 分钟 */
function everyText(ms: number): string {
  return ms < 60_000 ? `每 ${+(ms / 1000).toFixed(1)} 秒` : `每 ${+(ms / 60_000).toFixed(1)} 分钟`;
}

function lastOutcome(record: TickerRecord): 'running' | 'succeeded' | 'failed' | null {
  if (record.running) return 'running';
  if (!record.lastAt) return null;
  return record.lastError === null ? 'succeeded' : 'failed';
}

/** A ticker's in-memory record as the jobs page shows it. */
export function tickerView(record: TickerRecord) {
  const outcome = lastOutcome(record);
  return { ...record, everyText: everyText(record.everyMs), scopeLabel: tickerScopeLabels[record.scope], outcome, outcomeLabel: outcome ? outcomeLabels[outcome] : null };
}

/** A ticker's record in the admin API: the last tick as an ISO string (UTC). */
export function tickerJson(record: TickerRecord) {
  return { ...record, lastAt: record.lastAt?.toISOString() ?? null, lastOutcome: lastOutcome(record) };
}
