import type { Guards } from './guards';
import type { Authenticate } from './passport';
import type { RateLimits } from './rate-limits';
import type { VisitorResolver } from './visitor';
import type { DeviceResolver } from './device';
import type { AccountKind, SessionAccount } from '../modules/accounts';

/** What every router gets besides the services: guards, rate limits, the login strategies, the visitor key. */
export interface HttpKit {
  guards: Guards;
  limits: RateLimits;
  authenticate: Authenticate;
  visitor: VisitorResolver;
  device: DeviceResolver;
  /** the site's origin (PUBLIC_URL, no trailing slash): links sent outside the page are built from it, never from the request's Host */
  publicUrl: string;
  /** checks a login's TOTP code for an account whose password was already checked */
  secondFactor(kind: AccountKind, accountId: string, code: string): Promise<SessionAccount>;
}
