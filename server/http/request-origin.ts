import type { Request } from 'express';

/** `https://host` of the request, for links sent outside the page (invitation links, payment return URLs). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}
