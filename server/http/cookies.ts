import type { Request } from 'express';

const SEMICOLON = 59;
const EQUALS = 61;
const isBlank = (code: number) => code === 32 || code === 9;

/**
 * One cookie's value from the request (no cookie-parser middleware: only these few are read): the
 * first pair named `name`, its value trimmed and percent-decoded (kept as sent when it is not valid
 * percent-encoding, as the `cookie` package does). The header is scanned where the name occurs,
 * without splitting it into pairs: every API request reads two cookies of a header that may hold
 * a dozen.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || !name) return undefined;
  for (let at = header.indexOf(name); at >= 0; at = header.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before >= 0 && isBlank(header.charCodeAt(before))) before--;
    if (before >= 0 && header.charCodeAt(before) !== SEMICOLON) continue; // inside another pair
    let after = at + name.length;
    while (after < header.length && isBlank(header.charCodeAt(after))) after++;
    if (header.charCodeAt(after) !== EQUALS) continue; // a longer name, or a name without a value
    let end = header.indexOf(';', after + 1);
    if (end < 0) end = header.length;
    const value = header.slice(after + 1, end).trim();
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
