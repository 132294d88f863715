import type { Guards } from './guards';
import type { Authenticate } from './passport';
import type { RateLimits } from './rate-limits';

/** What every router gets besides the services: guards, rate limits and the login strategies. */
export interface HttpKit {
  guards: Guards;
  limits: RateLimits;
  authenticate: Authenticate;
}
