/**
 * Any origin will do: all that matters is whether a value, resolved against it, stays on it.
 * Both schemes, so `http:x` and `https:x` (relative on a site of the same scheme, another host
 * on the other) are refused whichever one the site is served on.
 */
const SITES = [new URL('https://site.invalid/'), new URL('http://site.invalid/')] as const;

/**
 * `value` as a path on this site (`/path?query#hash`), or undefined when a browser would take
 * it anywhere else. It is resolved the way a browser resolves a link (WHATWG URL: tab, LF and
 * CR removed, leading spaces and controls dropped, `\` read as `/`), must keep the site's
 * origin, and is returned re-serialised, so what is rendered or redirected to is exactly what
 * was checked. With `within` (e.g. `/partner`), the path must also lie inside that prefix.
 *
 * The one check for every `next` and other local link taken from input (rendered or redirected).
 */
export function localPath(value: unknown, within = '/'): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const resolved = SITES.map((site) => (URL.canParse(value, site.href) ? new URL(value, site) : undefined));
  if (resolved.some((url, i) => url?.origin !== SITES[i]!.origin)) return undefined;
  const url = resolved[0]!;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil` resolves to the path `//evil`, which a browser would read as another host
  if (!path.startsWith('/') || path.startsWith('//')) return undefined;
  if (within !== '/' && path !== within && !['/', '?', '#'].some((c) => path.startsWith(within + c))) return undefined;
  return path;
}
