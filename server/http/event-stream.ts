import type { Request, Response } from 'express';

/** One open server-sent-events answer. */
export interface EventStream {
  send(event: string, data: unknown, id?: number): void;
}

/** How often a comment line keeps the connection (and proxies in between) from timing out. */
const HEARTBEAT_MS = 25_000;

/**
 * Answers with `text/event-stream` until the client goes away: `refresh` runs once at once (to
 * catch up from the client's cursor) and again after every wake-up from `subscribe`, never two at
 * a time (a wake-up during a refresh runs one more). A refresh that throws (the conversation is no
 * longer the caller's) ends the stream.
 */
export async function serveEventStream(
  req: Request,
  res: Response,
  subscribe: (wake: () => void) => Promise<() => void>,
  refresh: (stream: EventStream) => Promise<void>,
): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  res.write('retry: 3000\n\n');
  const stream: EventStream = {
    send: (event, data, id) => {
      res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
  };
  let running = false;
  let again = false;
  let closed = false;
  const run = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await refresh(stream);
      } while (again && !closed);
    } catch {
      closed = true;
      res.end();
    } finally {
      running = false;
    }
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const subscription: { stop?: () => void } = {};
  req.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
    subscription.stop?.();
  });
  subscription.stop = await subscribe(() => void run());
  if (closed) subscription.stop();
  await run();
}

/** The client's cursor: the last event id it saw (`Last-Event-ID` on a reconnect, `?after=` on the first connect). */
export function lastEventId(req: Request): number {
  const raw = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : '0');
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
