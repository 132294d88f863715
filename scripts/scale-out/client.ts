/**
 * A cookie-keeping HTTP client, as a browser or a mobile app keeps its session: one per borrower
 * and one for the operator. Every answer says which instance gave it (haproxy's `X-Served-By`;
 * `direct` when the instance was called without the proxy).
 */
export interface Answer {
  status: number;
  /** the parsed JSON body, or the text */
  body: unknown;
  text: string;
  servedBy: string;
  location?: string;
  ms: number;
}

export class CookieClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  /** The session cookie's value (undefined before a login). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(method: string, path: string, options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; base?: string; timeoutMs?: number } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.accept = 'text/html';
      body = new URLSearchParams(options.form).toString();
    }
    const started = performance.now();
    const res = await fetch(`${options.base ?? this.base}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    const text = await res.text();
    const ms = performance.now() - started;
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed, text, servedBy: res.headers.get('x-served-by') ?? 'direct', location: res.headers.get('location') ?? undefined, ms };
  }
}

/** The error code of an API error answer (`{ error: { code } }`). */
export function errorCode(answer: Answer): string | undefined {
  const body = answer.body as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** The CSRF token of a page's form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1]!;
}
