import type { PiiCipher } from '../../lib/pii';

/** The visitor key of a signed-in borrower's catalogue events (server/http/visitor.ts): a blind index of the account id. */
export const accountVisitorKey = (pii: PiiCipher, accountId: string): string => pii.blindIndex(`visitor:account:${accountId}`);
