import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from './cookies';

const COOKIE = 'dc_did';
const TEN_YEARS_MS = 10 * 365 * 24 * 3600_000;

/**
 * The device identifier recorded with registrations and applications: the app's own
 * `X-Device-Id` header when it sends one, else a long-lived first-party cookie.
 */
export function deviceOf(secure: boolean) {
  return (req: Request, res: Response): string => {
    const header = req.get('x-device-id');
    if (header && /^[\w-]{8,64}$/.test(header)) return `app:${header}`;
    const cookie = readCookie(req, COOKIE);
    if (cookie && /^[0-9a-f-]{36}$/.test(cookie)) return `web:${cookie}`;
    const id = randomUUID();
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, maxAge: TEN_YEARS_MS });
    return `web:${id}`;
  };
}
export type DeviceResolver = ReturnType<typeof deviceOf>;
