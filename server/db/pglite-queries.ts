import { messages, parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import { statementSlots, type StatementLimits } from './prepared-statements';

type Query = PGlite['query'];
type Params = unknown[] | undefined;

/**
 * Makes PGlite's `query` (and a transaction's) cheaper for the serving thread, which runs every
 * statement of the embedded default. Measured with `npm run bench:pglite-statement`.
 *
 * **No copy of PGlite's parsers per query.** drizzle gives PGlite the same type parsers with every
 * query (dates, timestamps, intervals and their arrays, and numeric[], kept as the text PostgreSQL
 * sent: `(value) => value`), and PGlite merges a query's parsers into a copy of its own, which hold
 * one parser per type and array type (300–450: every table's row type has an array type too):
 * ~230 µs per statement, more than half of what a `select 1` cost. Here a query's parsers that only
 * hand the text back are installed once on the instance, and the query goes on without them:
 * PGlite parses with its own parsers, now the same as the merged copy, without making it. A query
 * asking for any other parser keeps its options. The instance is drizzle's alone (the channel
 * listener only calls its `listen`), so no other caller sees text where PGlite would make a Date.
 *
 * **Parameterised statements prepared once** (`prepare`, as `prepareStatementsOn` does on a
 * server connection, and under the same limits and DATABASE_PREPARED_STATEMENTS): PGlite's `query`
 * parses and plans every statement again (unnamed) in six calls into PostgreSQL. A kept statement
 * is only bound and executed, in one call: Bind, Describe, Execute and Sync in one message (written
 * by `bindDescribeExecuteSync`), the way PGlite would send them one by one, under the same locks,
 * with the same parameter serialisers, result parsing, errors and file sync. PostgreSQL re-plans a
 * kept statement by itself when a table it reads changes; when a column it returns changed type,
 * it is prepared again.
 */
export function streamlineQueries(client: PGlite, options: { prepare: boolean; limits?: StatementLimits }): void {
  const kept = new Set<number>();
  const withoutParsers = (queryOptions: QueryOptions | undefined): QueryOptions | undefined => {
    const parsers = queryOptions?.parsers;
    if (!parsers) return queryOptions;
    for (const key of Object.keys(parsers)) {
      const type = Number(key);
      if (kept.has(type)) continue;
      if (!returnsItsInput(parsers[type]!)) return queryOptions;
      client.parsers[type] = parsers[type]!;
      kept.add(type);
    }
    const { parsers: _merged, ...rest } = queryOptions;
    return rest;
  };
  const prepared = options.prepare ? new PreparedStatements(client, options.limits) : undefined;
  /** a `query` that sends its statement without drizzle's parsers: by `runNamed` when it is kept prepared, else by `unnamed` */
  const streamlined =
    (unnamed: Query, runNamed: (name: string, text: string, params: unknown[], options: QueryOptions | undefined) => Promise<Results>): Query =>
    ((text: string, params?: unknown[], queryOptions?: QueryOptions) => {
      const options = withoutParsers(queryOptions);
      const name = prepared?.nameFor(text, params, options);
      return name === undefined ? unnamed(text, params, options) : runNamed(name, text, params!, options);
    }) as Query;

  client.query = streamlined(client.query.bind(client), async (name, text, params, queryOptions) => {
    // as PGlite's own query: once it is ready, and after any transaction under way
    await client._checkReady();
    return client._runExclusiveTransaction(() => prepared!.run(name, text, params, queryOptions, false));
  });
  const transaction = client.transaction.bind(client);
  client.transaction = ((callback: (tx: Transaction) => Promise<unknown>) =>
    transaction((tx) => {
      tx.query = streamlined(tx.query.bind(tx), async (name, text, params, queryOptions) => {
        if (tx.closed) throw new Error('Transaction is closed'); // as the transaction's own query
        return prepared!.run(name, text, params, queryOptions, true);
      }) as Transaction['query'];
      return callback(tx);
    })) as PGlite['transaction'];
}

/** The statements kept prepared in one PGlite (one connection), and running them. */
class PreparedStatements {
  private readonly slots;
  /** each kept statement's parameter types, as PostgreSQL inferred them when it was prepared */
  private readonly parameterTypes = new Map<string, number[]>();

  constructor(
    private readonly client: PGlite,
    limits: StatementLimits = {},
  ) {
    this.slots = statementSlots(limits);
  }

  /** the name to run it under, or undefined to leave it to PGlite (no parameters, too long, past the cap, a file attached) */
  nameFor(text: string, params: Params, options: QueryOptions | undefined): string | undefined {
    if (!params || params.length === 0 || options?.blob || options?.paramTypes) return undefined;
    return this.slots.slot(text);
  }

  /** PGlite's own query with a kept statement: called holding the lock PGlite's query would hold */
  run(name: string, text: string, params: unknown[], options: QueryOptions | undefined, inTransaction: boolean): Promise<Results> {
    const client = this.client;
    return client._runExclusiveQuery(async () => {
      const send = (message: Uint8Array) => client.execProtocolStream(message, { syncToFs: false, onNotice: options?.onNotice });
      const attempt = async (): Promise<Results> => {
        let types = this.parameterTypes.get(name);
        if (!types) {
          types = parse.parseDescribeStatementResults(await send(Buffer.concat([protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()])));
          this.parameterTypes.set(name, types);
          this.slots.keep(name);
        }
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serialize = client.serializers[types[i]!];
          return serialize ? (serialize(value) as BoundValue) : String(value);
        });
        const replies = await send(bindDescribeExecuteSync(name, values));
        if (!inTransaction) await client.syncToFs();
        return parse.parseResults(replies, client.parsers, options)[0]!;
      };
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof messages.DatabaseError)) throw err;
        // a column the statement returns changed type since it was prepared: PostgreSQL will not
        // re-plan that by itself, so it is prepared again (at once, unless a transaction was under way)
        if (err.code === CACHED_PLAN_CHANGED_RESULT) {
          this.parameterTypes.delete(name);
          await send(Buffer.concat([protocol.serialize.close({ type: 'S', name }), protocol.serialize.sync()])).catch(() => undefined);
          if (!inTransaction) return attempt();
        }
        // as PGlite reports a failed query
        throw Object.assign(err, { query: text, params, queryOptions: options });
      }
    });
  }
}

/** a parameter as PGlite's serialisers leave it: text, bytes (sent in binary format) or null */
export type BoundValue = string | Uint8Array | null;

/**
 * Bind (the unnamed portal, statement `name`, text results), Describe the portal, Execute and
 * Sync, as one message: the bytes PGlite's `protocol.serialize` gives for the four, made with
 * node's own UTF-8 calls. PGlite's writer counts each string's UTF-8 length in a JavaScript loop
 * twice, then grows its buffer as it goes: for a batch of catalogue events (one 15 KB JSON
 * parameter) that was more than half of what the statement cost the serving thread.
 */
export function bindDescribeExecuteSync(name: string, values: readonly BoundValue[]): Uint8Array {
  const nameLength = Buffer.byteLength(name);
  let valuesLength = 0;
  const lengths = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    lengths[i] = value === null ? -1 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
    valuesLength += 4 + Math.max(0, lengths[i]!);
  }
  // Bind: type, length, portal "", statement name, format codes, values, result format count
  const bindLength = 4 + 1 + nameLength + 1 + 2 + 2 * values.length + 2 + valuesLength + 2;
  const out = Buffer.allocUnsafe(1 + bindLength + PORTAL_DESCRIBE_EXECUTE_SYNC.length);
  let at = out.writeUInt8(0x42, 0); // 'B'
  at = out.writeInt32BE(bindLength, at);
  at = out.writeUInt8(0, at);
  at += out.write(name, at);
  at = out.writeUInt8(0, at);
  // counts are unsigned: a statement may bind up to 65,535 values
  at = out.writeUInt16BE(values.length, at);
  for (const value of values) at = out.writeInt16BE(value instanceof Uint8Array ? 1 : 0, at);
  at = out.writeUInt16BE(values.length, at);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    at = out.writeInt32BE(lengths[i]!, at);
    if (typeof value === 'string') at += out.write(value, at);
    else if (value !== null) {
      out.set(value, at);
      at += value.byteLength;
    }
  }
  at = out.writeInt16BE(0, at);
  out.set(PORTAL_DESCRIBE_EXECUTE_SYNC, at);
  return out;
}

/** Describe the unnamed portal, Execute it (all rows) and Sync */
const PORTAL_DESCRIBE_EXECUTE_SYNC = Buffer.concat([protocol.serialize.describe({ type: 'P' }), protocol.serialize.execute({}), protocol.serialize.sync()]);

/** "cached plan must not change result type" */
const CACHED_PLAN_CHANGED_RESULT = '0A000';

/** true for a parser that hands back what it is given (drizzle's keep-the-text parsers) */
export function returnsItsInput(parser: (value: string, typeId?: number) => unknown): boolean {
  const probe = {} as unknown as string;
  try {
    return parser(probe) === probe;
  } catch {
    return false;
  }
}
