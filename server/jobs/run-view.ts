import type { JobOutcome, JobRun, JobTrigger } from '../modules/jobs';
import type { JobOverview, RunResult } from './scheduler';

export const outcomeLabels: Record<JobOutcome, string> = {
  running: '运行中',
  succeeded: '成功',
  failed: '失败',
  skipped_locked: '已跳过（其他实例正在运行）',
};
export const triggerLabels: Record<JobTrigger, string> = { schedule: '定时', catch_up: '补跑', manual: '手动' };

export function durationMs(run: JobRun): number | null {
  return run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
}

/** 0.12 秒, 3.4 秒, 2 分 5 秒 */
export function durationText(run: JobRun): string {
  const ms = durationMs(run);
  if (ms === null) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} 秒`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} 秒`;
  return `${Math.floor(ms / 60_000)} 分 ${Math.round((ms % 60_000) / 1000)} 秒`;
}

/** A run as the pages show it. */
export function runView(run: JobRun) {
  return { ...run, outcomeLabel: outcomeLabels[run.outcome], triggerLabel: triggerLabels[run.trigger], duration: durationText(run) };
}

/** A run in the admin API: instants as ISO strings (UTC), the error message only. */
export function runJson(run: JobRun) {
  return {
    id: run.id,
    job: run.jobName,
    scheduledFor: run.scheduledFor.toISOString(),
    trigger: run.trigger,
    outcome: run.outcome,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: durationMs(run),
    processed: run.processed,
    detail: run.detail,
    error: run.error,
    instanceId: run.instanceId,
    fencingToken: run.fencingToken,
    attempt: run.attempt,
    requestedBy: run.requestedBy,
  };
}

export function overviewJson(o: JobOverview) {
  return { ...o.job, timezone: 'Asia/Shanghai', nextRunAt: o.nextRunAt?.toISOString() ?? null, lastRun: o.lastRun ? runJson(o.lastRun) : null, recent: o.recent.map(runJson) };
}

/** The flash message after 立即运行. */
export function runMessage(title: string, result: RunResult): { kind: 'success' | 'error'; message: string } {
  const run = result.run;
  if (!run) return { kind: 'error', message: `「${title}」正在其他实例运行，本次未运行` };
  if (run.outcome === 'succeeded') return { kind: 'success', message: `「${title}」已运行：成功，处理 ${run.processed ?? 0} 条，用时 ${durationText(run)}` };
  if (run.outcome === 'failed') return { kind: 'error', message: `「${title}」运行失败：${run.error ?? '未知错误'}` };
  if (run.outcome === 'skipped_locked') return { kind: 'error', message: `「${title}」正在其他实例运行，本次已跳过` };
  return { kind: 'error', message: `「${title}」仍在运行` };
}
