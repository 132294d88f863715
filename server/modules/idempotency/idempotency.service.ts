import { and, eq, lt, isNull, sql, type SQL } from 'drizzle-orm';
import { configure } from 'safe-stable-stringify';
import { sha256Hex } from '../../lib/digest';
import type { Database } from '../../db/client';
import { preparedQuery } from '../../db/prepared-query';
import { ConflictError } from '../../lib/errors';
import { write, type WriteBatch } from '../../lib/tx';
import { idempotencyKeys } from './idempotency.schema';

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; statusCode: number; body: unknown };

/** A request still marked in flight after this long is taken to have died and may be retried. */
const STALE_IN_FLIGHT_MS = 60_000;

/** Canonical JSON: object keys sorted at every level, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
const canonicalJson = configure({ deterministic: true, bigint: true, circularValue: Error });

/**
 * The request a key was first used for: method, path and the body as canonical JSON. Bodies
 * reach here only after the edge check (http/safe-input.ts) has refused nesting deeper than 32.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return sha256Hex(`${method} ${path}\n${canonicalJson(body ?? null)}`);
}

/**
 * Which outcomes are kept under their key and replayed: successes, and conflicts (409: the
 * state said no, and says the same on a retry). Any other refusal (400, 403, 404, 422…) is not
 * kept, so a corrected request may reuse its key, as Stripe does; nor is a 5xx.
 */
export function isReplayable(statusCode: number): boolean {
  return statusCode < 400 || statusCode === 409;
}

// every keyed request claims its key: rendered once (db/prepared-query.ts)
const claimKey = preparedQuery(['scope', 'key', 'fingerprint'], (db, p) =>
  db
    .insert(idempotencyKeys)
    .values({ scope: p.scope, key: p.key, requestHash: p.fingerprint })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: { requestHash: sql`excluded.request_hash`, createdAt: sql`now()` },
      setWhere: and(isNull(idempotencyKeys.statusCode), lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${STALE_IN_FLIGHT_MS / 1000})`)),
    })
    .returning({ key: idempotencyKeys.key }),
);
/** The key's outcome stored: run on its own (`complete`) or in the work's write batch (`keepWith`). */
function completion(scope: string, key: string, statusCode: number, body: unknown): SQL {
  const column = (c: { name: string }) => sql.identifier(c.name);
  return sql`update ${idempotencyKeys} set ${column(idempotencyKeys.statusCode)} = ${statusCode}, ${column(idempotencyKeys.responseBody)} = ${JSON.stringify(body ?? null)}::jsonb
    where ${column(idempotencyKeys.scope)} = ${scope} and ${column(idempotencyKeys.key)} = ${key}`;
}

export interface IdempotencyServiceDeps {
  db: Database;
}

/**
 * Idempotency-Key handling: the first request with a key claims it; a repeat with the same
 * body replays the stored response; a repeat with another body is a 409; a repeat while
 * the first is still running is a 409 too (retry later).
 */
export class IdempotencyService {
  constructor(private readonly deps: IdempotencyServiceDeps) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    // one statement: a new key is claimed, and so is one whose request died in flight (taken over
    // by this request); a live or finished one is left alone and read below
    const inserted = await claimKey(this.deps.db, { scope, key, fingerprint });
    if (inserted.length > 0) return { kind: 'new' };

    const [existing] = await this.deps.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    if (!existing) return this.claim(scope, key, fingerprint);
    if (existing.requestHash !== fingerprint) {
      throw new ConflictError('idempotency_key_reused', '该 Idempotency-Key 已用于另一个不同的请求', {
        'Idempotency-Key': '同一个键只能用于相同的请求内容',
      });
    }
    if (existing.statusCode === null) {
      throw new ConflictError('idempotency_in_flight', '相同的请求正在处理中，请稍后重试');
    }
    return { kind: 'replay', statusCode: existing.statusCode, body: existing.responseBody };
  }

  /** The request finished: its outcome is kept for replay if replayable, else the key is released for a corrected retry. */
  async settle(scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await (isReplayable(statusCode) ? this.complete(scope, key, statusCode, body) : this.release(scope, key));
  }

  async complete(scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.deps.db.execute(completion(scope, key, statusCode, body));
  }

  /**
   * The outcome kept with the request's own work: the key's completion joins the work's write
   * batch, so it commits exactly when the work does (and goes with it on a rollback). The middleware
   * then answers without a statement of its own (http/idempotency.ts, `keptOutcomeOf`). Without
   * this, a process that died between the work's commit and `complete` left the key in flight: a
   * retry after it went stale ran the request again instead of replaying its answer.
   */
  async keepWith(batch: WriteBatch, scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await write(batch, [completion(scope, key, statusCode, body)]);
  }

  /** The request failed in a way the client may retry with the same key (5xx, or a 4xx it can fix). */
  async release(scope: string, key: string): Promise<void> {
    await this.deps.db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }
}
