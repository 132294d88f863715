/**
 * Whether a key was asked for before, lately: the "doorkeeper" of TinyLFU, for caches that keep
 * only what repeats. A search cache that keeps every answer fills with queries asked once (most
 * of them, when people type), and each of those entries lives until it is evicted: it is copied
 * into the collector's old space and collected there again, which costs the serving thread more
 * than the hits it never gets. Kept from its second asking on, a popular answer is built twice
 * instead of once per lifetime, and a one-off is never kept.
 *
 * Two Bloom filters of bits (3 probes each), the current one and the one before it: a key is
 * recorded in the current one, and found in either. The current one becomes the previous after
 * `windowMs`, or after `capacity` keys (so false positives stay under 2%), so a key is remembered
 * for between one and two windows. Nothing is allocated per key: the filters are two fixed typed
 * arrays. A false positive only keeps an answer at its first asking, which a cache may always do.
 */
export class RepeatFilter {
  private current: Uint32Array;
  private previous: Uint32Array;
  private readonly mask: number;
  private added = 0;
  private startedAt: number;
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: { capacity?: number; windowMs?: number; now?: () => number } = {}) {
    this.capacity = options.capacity ?? 50_000;
    this.windowMs = options.windowMs ?? 30_000;
    this.now = options.now ?? Date.now;
    // about 10 bits a key, rounded up to a power of two (≥ 1,024) so a probe is a mask, not a division
    const bits = Math.max(1024, 2 ** Math.ceil(Math.log2(this.capacity * 10)));
    this.mask = bits - 1;
    this.current = new Uint32Array(bits / 32);
    this.previous = new Uint32Array(bits / 32);
    this.startedAt = this.now();
  }

  /** Records `key` and says whether it had been recorded before (within one to two windows). */
  seenBefore(key: string): boolean {
    const at = this.now();
    if (at - this.startedAt >= this.windowMs || this.added >= this.capacity) this.rotate(at);
    const h1 = fnv1a(key);
    const h2 = fmix32(h1 ^ 0x9e3779b9) | 1; // odd: the probes never repeat
    let inCurrent = true;
    let inPrevious = true;
    for (let i = 0; i < 3; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.current[word]! & flag) === 0) {
        inCurrent = false;
        this.current[word]! |= flag;
      }
      if ((this.previous[word]! & flag) === 0) inPrevious = false;
    }
    if (!inCurrent) this.added++;
    return inCurrent || inPrevious;
  }

  private rotate(at: number): void {
    const cleared = this.previous.fill(0);
    // two windows or more since the last turn: what the current filter holds is that old too
    this.previous = at - this.startedAt >= 2 * this.windowMs ? this.current.fill(0) : this.current;
    this.current = cleared;
    this.added = 0;
    this.startedAt = at;
  }
}

/** 32-bit FNV-1a over the UTF-16 code units */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: every bit of the input moves about half the output's */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
