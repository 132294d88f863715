import net from 'node:net';
import pg from 'pg';

/**
 * Counts the socket writes that carry node-postgres clients' statements, from now until `stop`:
 * the round trips (pg corks a statement's messages into one write; statements sent together, as a
 * pipelined transaction sends them, share one). A client's socket is recognised when a statement
 * passes through `pg.Client.prototype.query`. For benches and tests; nothing else changes.
 */
export function countDatabaseWrites(): { count(): number; reset(): void; stop(): void } {
  let writes = 0;
  const sockets = new WeakSet<object>();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    const socket = (this as unknown as { connection?: { stream?: object } }).connection?.stream;
    if (socket) sockets.add(socket);
    return (query as (...x: unknown[]) => unknown).apply(this, a);
  } as typeof query;
  const originals = { _write: net.Socket.prototype._write, _writev: net.Socket.prototype._writev };
  for (const method of ['_write', '_writev'] as const) {
    const original = originals[method] as (...x: unknown[]) => unknown;
    net.Socket.prototype[method] = function (this: net.Socket, ...a: unknown[]) {
      if (sockets.has(this)) writes++;
      return original.apply(this, a);
    } as never;
  }
  return {
    count: () => writes,
    reset: () => void (writes = 0),
    stop: () => {
      pg.Client.prototype.query = query;
      Object.assign(net.Socket.prototype, originals);
    },
  };
}
