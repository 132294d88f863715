import type { BureauReport, CreditBureau } from '../../modules/credit';

/**
 * The development credit bureau: there is no bureau connection, so it knows nothing about
 * anyone and every 信用评估 stays the borrower's own answers, labelled `self_reported`.
 * A real provider implements the same port (see server/modules/credit/credit-bureau.port.ts).
 */
export class NoCreditBureau implements CreditBureau {
  readonly name = 'none';
  async report(accountId: string): Promise<BureauReport | null> {
    void accountId;
    return null;
  }
}
