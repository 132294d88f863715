/**
 * A product's speed as people say it: "30 分钟", "4 小时", "1.5 小时", "3 天". Under an hour in
 * minutes; under two days in hours (lenders say "24 小时放款"); from two days in days. Hours and
 * days are rounded to the nearest half, so the figure stays honest ("约" goes in front).
 */
export function formatDuration(minutes: number): string {
  return durationParts(minutes)?.text ?? '—';
}

function durationParts(minutes: number): { text: string; exact: boolean } | null {
  if (!Number.isFinite(minutes) || minutes < 0) return null;
  if (minutes < 60) {
    const m = Math.max(1, Math.round(minutes));
    return { text: `${m} 分钟`, exact: m === minutes };
  }
  if (minutes < 48 * 60) return { text: `${halves(minutes / 60)} 小时`, exact: halves(minutes / 60) === minutes / 60 };
  return { text: `${halves(minutes / 1440)} 天`, exact: halves(minutes / 1440) === minutes / 1440 };
}

/**
 * A measured time (an average first response, time left on a deadline) in the same words, with
 * "约" when the figure was rounded: 0.02 小时 → "约 1 分钟", 1.97 小时 → "约 2 小时", 3 小时 → "3 小时";
 * "—" when there is nothing measured.
 */
export function formatMeasuredHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return '—';
  const parts = durationParts(hours * 60);
  if (!parts) return '—';
  return parts.exact ? parts.text : `约 ${parts.text}`;
}

const halves = (n: number) => Math.round(n * 2) / 2;
