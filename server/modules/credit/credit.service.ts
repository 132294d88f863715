import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ForbiddenError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditService, RequestOrigin } from '../audit';
import type { CreditBureau } from './credit-bureau.port';
import { CreditRepository } from './credit.repository';
import { creditAnswersSchema, type CreditAnswers } from './questionnaire';
import { scoreCredit, type CreditBand, type CreditFactor, type CreditTip } from './scoring';

export type CreditSource = 'self_reported' | 'bureau';

/** One past assessment, as the history shows it. */
export interface CreditHistoryPoint {
  score: number;
  band: CreditBand;
  source: CreditSource;
  at: Date;
}

/** The borrower's latest 信用评估 with its explanation. */
export interface CreditProfile {
  score: number;
  band: CreditBand;
  /** self_reported: the platform's estimate from the borrower's own answers */
  source: CreditSource;
  factors: CreditFactor[];
  tips: CreditTip[];
  /** monthly debt payments ÷ monthly income; null without income */
  debtToIncome: number | null;
  /** the answers it was scored on (the borrower's own, shown back to them to edit) */
  answers: CreditAnswers;
  assessedAt: Date;
}

export interface CreditServiceDeps {
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  bureau: CreditBureau;
}

/** 信用评估: the questionnaire scored, kept (answers encrypted) and explained. */
export class CreditService {
  private readonly repo: CreditRepository;

  constructor(private readonly deps: CreditServiceDeps) {
    this.repo = new CreditRepository(deps.db);
  }

  /**
   * 信用评估, the whole use case for both doors: the answers are checked, a bureau report (when
   * the provider has one) replaces what it vouches for, the score is computed, and the new
   * assessment with its audit row `credit.assessed` commit together.
   */
  async assess(origin: RequestOrigin, input: CreditAnswers): Promise<CreditProfile> {
    const accountId = origin.actor.id;
    if (origin.actor.kind !== 'consumer' || !accountId) throw new ForbiddenError('只有借款人本人可以做信用评估');
    const parsed = creditAnswersSchema.safeParse(input);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
      throw new ValidationError('信用评估信息有误', fields);
    }
    const report = await this.deps.bureau.report(accountId);
    const answers: CreditAnswers = report ? { ...parsed.data, ...report.answers } : parsed.data;
    const source: CreditSource = report ? 'bureau' : 'self_reported';
    const result = scoreCredit(answers);
    const id = newId('cra');
    const at = this.deps.clock.now();
    await withTransaction(this.deps.db, async (tx) => {
      await this.repo.insert(tx, {
        id,
        accountId,
        score: result.score,
        band: result.band,
        source,
        answersEnc: this.deps.pii.encrypt(JSON.stringify(answers)),
        createdAt: at,
      });
      await this.deps.audit.record(
        origin.actor,
        { action: 'credit.assessed', objectType: 'account', objectId: accountId, detail: { assessmentId: id, score: result.score, band: result.band, source, door: origin.door } },
        tx,
      );
    });
    return { ...result, source, answers, assessedAt: at };
  }

  /** The latest assessment, explained; null when the borrower has none yet. */
  async current(accountId: string): Promise<CreditProfile | null> {
    const row = await this.repo.latest(accountId);
    if (!row) return null;
    const answers = JSON.parse(this.deps.pii.decrypt(row.answersEnc)) as CreditAnswers;
    const result = scoreCredit(answers);
    // the score given at the time stands; factors and tips explain the same answers
    return { ...result, score: row.score, band: row.band, source: row.source, answers, assessedAt: row.createdAt };
  }

  /** Every assessment's score, newest first. */
  async history(accountId: string): Promise<CreditHistoryPoint[]> {
    return (await this.repo.history(accountId)).map((r) => ({ score: r.score, band: r.band, source: r.source, at: r.createdAt }));
  }

  /** The latest score, for eligibility; null when there is none. */
  async latestScore(accountId: string): Promise<number | null> {
    return (await this.repo.latest(accountId))?.score ?? null;
  }

  /** Every assessment with the answers it was scored on, newest first: the borrower's data export. */
  async exportFor(accountId: string): Promise<(CreditHistoryPoint & { answers: CreditAnswers })[]> {
    return (await this.repo.all(accountId)).map((r) => ({
      score: r.score,
      band: r.band,
      source: r.source,
      at: r.createdAt,
      answers: JSON.parse(this.deps.pii.decrypt(r.answersEnc)) as CreditAnswers,
    }));
  }

  /** Deletes every assessment of a closed or erased account, inside the caller's transaction. */
  erase(tx: Tx, accountId: string): Promise<void> {
    return this.repo.deleteAll(tx, accountId);
  }
}
