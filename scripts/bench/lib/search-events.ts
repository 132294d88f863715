import type { BufferedEvent } from '../../../server/modules/catalogue/catalogue.repository';
import { createRng } from '../generate-products';

const words = ['信用', '装修', '车贷', '公积金', '经营贷 先息后本', '闪电贷', '免抵押', '随借随还', '房抵', '分期'];

/**
 * `n` search events as the catalogue buffers them: a visitor's keyed hash (or the one given), the
 * words, the results found, a millisecond apart from `atMs`; deterministic for a seed.
 */
export function searchEvents(n: number, seed: number, options: { visitor?: string; atMs?: number } = {}): BufferedEvent[] {
  const rng = createRng(seed);
  const at = options.atMs ?? Date.parse('2026-12-07T06:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    kind: 'search' as const,
    channel: 'api' as const,
    visitor: options.visitor ?? rng.int(0, 2 ** 31).toString(16).padStart(64, '0'),
    product_id: null,
    query: rng.pick(words),
    filters: {},
    result_count: rng.int(0, 3000),
    at_ms: at + i,
  }));
}
