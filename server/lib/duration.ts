/**
 * A product's speed as people say it: "30 分钟", "4 小时", "1.5 小时", "3 天". Under an hour in
 * minutes; under two days in hours (lenders say "24 小时放款"); from two days in days. Hours and
 * days are rounded to the nearest half, so the figure stays honest ("约" goes in front).
 */
export function formatDuration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes < 0) return '—';
  if (minutes < 60) return `${Math.max(1, Math.round(minutes))} 分钟`;
  if (minutes < 48 * 60) return `${halves(minutes / 60)} 小时`;
  return `${halves(minutes / 1440)} 天`;
}

const halves = (n: number) => String(Math.round(n * 2) / 2);
