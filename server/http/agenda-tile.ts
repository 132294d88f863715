/**
 * One tile of a back office's 待办 (the home page of the portal and of the operator back
 * office): a figure, what it counts, where to act on it; `alert` when something is late.
 * Rendered by the shared `agenda` partial.
 */
export interface AgendaTile {
  key: string;
  label: string;
  figure: string;
  detail: string;
  href: string;
  alert: boolean;
}

/** A count read from a list capped at `limit`: "200+" when the cap was reached. */
export const cappedCount = (n: number, limit: number): string => (n >= limit ? `${limit}+` : String(n));
