import type { SessionAccount, AccountKind } from '../modules/accounts';

declare module 'express-session' {
  interface SessionData {
    /** account id per kind: the three surfaces keep separate logins in one session */
    auth?: Partial<Record<AccountKind, { id: string; v: number }>>;
    flash?: { kind: 'success' | 'error'; message: string };
    /** the outcome of the last multi-apply, shown once on /apply/done */
    applyResult?: { created: string[]; refused: unknown[] };
    /** password checked, TOTP code still to come (expires after five minutes) */
    mfaPending?: { kind: AccountKind; id: string; next: string; at: number };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** set by a guard: who is calling */
      account?: SessionAccount;
      /** set for institution calls (session or API key) */
      institutionId?: string;
      /** set for a channel partner's staff */
      channelId?: string;
      /** 'session' or 'api_key' */
      authMethod?: 'session' | 'api_key';
      id?: string | number | object;
      /** the session store (Redis) could not be reached for this request: served without a session (server/http/sessions.ts) */
      sessionStoreDown?: true;
    }
  }
}

export {};
