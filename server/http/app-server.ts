import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * The app's HTTP server, whose requests and responses are born with express's prototypes
 * (`app.request`, `app.response`). Express gives them those prototypes itself, with
 * `Object.setPrototypeOf` on every request (`app.handle`); in V8 that change of prototype keeps
 * about a third of what a request allocates alive through two young-generation collections, so it
 * is copied twice and promoted to the old generation. Measured with `node --trace-gc-nvp` and
 * autocannon on a bare express route answering `res.end()`: 224 MB of 711 MB allocated promoted
 * and ~6,000 requests/s, against 2 MB of 1,642 MB and ~38,000 requests/s for the same router
 * without the prototype change (docs/benchmarks.md, "Express's prototype change"). Born with the
 * prototype already in place, express's call changes nothing (setting the prototype an object
 * already has is a no-op), and nothing else differs: the prototype chain is the one express sets.
 */
export function createAppServer(app: Express): Server {
  return createServer({ IncomingMessage: bornWith(IncomingMessage, app.request), ServerResponse: bornWith(ServerResponse, app.response) }, app);
}

/**
 * `app.listen` with the app's own server, otherwise as express's: a callback given last also hears
 * a failure to listen (its error as argument), once.
 */
export function listenWithAppServer(app: Express): void {
  app.listen = ((...args: unknown[]) => {
    const server = createAppServer(app);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      let called = false;
      const once = (err?: Error) => {
        if (called) return;
        called = true;
        (last as (err?: Error) => void)(err);
      };
      args[args.length - 1] = () => once();
      server.once('error', once);
    }
    return server.listen(...(args as Parameters<Server['listen']>));
  }) as Express['listen'];
}

/** The app on its own server at a free port of 127.0.0.1 (benches, browser tests): resolves once it listens. */
export function listenLocally(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

/** A constructor that builds what `base` builds, with `prototype` as the new object's prototype. */
function bornWith<T extends typeof IncomingMessage | typeof ServerResponse>(base: T, prototype: object): T {
  // node's IncomingMessage and ServerResponse are plain functions that initialise `this`, so a
  // function constructor with its own prototype can run them (a class's prototype cannot be replaced)
  function Born(this: object, ...args: unknown[]) {
    (base as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  Born.prototype = prototype;
  return Born as unknown as T;
}
