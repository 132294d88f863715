import http from 'node:http';
import https from 'node:https';
import { BlockedAddressError, UnresolvedHostError, addressProblem, guardedLookup, isIpLiteral, type AddressPolicy, type Resolve } from './address-guard';

/**
 * What the delivery log may say about an attempt. Only these generic outcomes are recorded:
 * never the network error's text or the receiver's answer, which would turn the log into a
 * port scanner for whoever sets the URL.
 */
export const OUTCOME = {
  blocked: '地址不允许',
  unresolved: '域名无法解析',
  timeout: '超时',
  failed: '连接失败',
} as const;

export type PostOutcome = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

export interface PostOptions extends AddressPolicy {
  resolve: Resolve;
  /** connect to end of the response headers */
  timeoutMs: number;
}

/**
 * POSTs `body` to `url` and reports the outcome: a 2xx is delivered; anything else, including a
 * redirect (never followed), fails. The host is resolved once, every address it resolves to
 * must be public, and the socket connects to the address that was checked.
 */
export function postJson(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostOutcome> {
  const target = new URL(url);
  // an address literal is not looked up by the socket: check it here
  if (isIpLiteral(target.hostname) && addressProblem(target.hostname, options)) {
    return Promise.resolve({ ok: false, statusCode: null, error: OUTCOME.blocked });
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let req: http.ClientRequest | undefined;
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, statusCode: null, error: OUTCOME.timeout }), options.timeoutMs);
    try {
      req = client.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: guardedLookup(options.resolve, options),
          // a fresh connection per delivery, to the address checked for it
          agent: false,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          // the answer's body is neither read nor kept
          res.resume();
          finish(status >= 200 && status < 300 ? { ok: true, statusCode: status } : { ok: false, statusCode: status, error: `HTTP ${status}` });
        },
      );
      req.on('error', (err) => finish({ ok: false, statusCode: null, error: outcomeOf(err) }));
      req.end(body);
    } catch (err) {
      finish({ ok: false, statusCode: null, error: outcomeOf(err as Error) });
    }
  });
}

function outcomeOf(err: Error): string {
  if (err instanceof BlockedAddressError) return OUTCOME.blocked;
  if (err instanceof UnresolvedHostError) return OUTCOME.unresolved;
  return OUTCOME.failed;
}
