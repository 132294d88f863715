import { and, eq, gte, isNotNull, isNull, lt, lte, ne, or } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { AuditActor, AuditService } from '../audit';
import type { SettingsService } from '../settings';
import { institutions } from './institutions.schema';
import { shanghaiDate } from '../../lib/shanghai-date';
import { withTransaction } from '../../lib/tx';
import type { Clock } from '../../lib/clock';

/** The products side of a lapse: the catalogue pauses every listed product of the institution. */
export interface ProductPauser {
  pauseAllListed(institutionId: string, reason: string): Promise<string[]>;
}

export type LicenceState = 'valid' | 'expiring' | 'lapsed' | 'unknown';

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export interface LicencesServiceDeps {
  clock: Clock;
  db: Database;
  settings: SettingsService;
  products: ProductPauser;
  audit: AuditService;
}

/** Licence expiry: warned ahead (the warning period is a system parameter), products paused when it lapses. */
export class LicencesService {
  constructor(private readonly deps: LicencesServiceDeps) {}

  /** How an institution's licence stands today (Asia/Shanghai), for banners and lists. */
  async stateOf(institution: { licenceExpiresOn: string | null; licenceLapsedAt: Date | null }, now = this.deps.clock.now()): Promise<{ state: LicenceState; daysLeft?: number }> {
    if (!institution.licenceExpiresOn) return { state: 'unknown' };
    const today = shanghaiDate(now);
    const daysLeft = Math.round((Date.parse(`${institution.licenceExpiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
    if (daysLeft < 0 || institution.licenceLapsedAt) return { state: 'lapsed', daysLeft };
    return { state: daysLeft <= (await this.deps.settings.get('licence.warningDays')) ? 'expiring' : 'valid', daysLeft };
  }

  /**
   * The daily check: records a warning for licences lapsing within the warning period (once per
   * expiry date) and, for licences whose last valid day has passed, pauses every listed product
   * (once). Running it again the same day changes nothing.
   */
  async enforce(now = this.deps.clock.now()): Promise<{ warned: string[]; lapsed: string[] }> {
    const today = shanghaiDate(now);
    const warnUntil = addDays(today, await this.deps.settings.get('licence.warningDays'));
    const system: AuditActor = { kind: 'system', id: 'licence-check' };
    const expiring = await this.deps.db
      .select()
      .from(institutions)
      .where(
        and(
          isNotNull(institutions.licenceExpiresOn),
          gte(institutions.licenceExpiresOn, today),
          lte(institutions.licenceExpiresOn, warnUntil),
          or(isNull(institutions.licenceWarnedFor), ne(institutions.licenceWarnedFor, institutions.licenceExpiresOn)),
        ),
      );
    for (const inst of expiring) {
      await withTransaction(this.deps.db, async (tx) => {
        await tx.update(institutions).set({ licenceWarnedFor: inst.licenceExpiresOn }).where(eq(institutions.id, inst.id));
        await this.deps.audit.record(system, { action: 'institution.licence_expiring', objectType: 'institution', objectId: inst.id, detail: { expiresOn: inst.licenceExpiresOn } }, tx);
      });
    }
    const lapsing = await this.deps.db
      .select()
      .from(institutions)
      .where(and(isNotNull(institutions.licenceExpiresOn), lt(institutions.licenceExpiresOn, today), isNull(institutions.licenceLapsedAt)));
    for (const inst of lapsing) {
      // pause first (the catalogue writes on its own): a crash before the lapse is marked leaves it to the next run
      const paused = await this.deps.products.pauseAllListed(inst.id, `牌照已于 ${inst.licenceExpiresOn} 到期`);
      await withTransaction(this.deps.db, async (tx) => {
        await tx.update(institutions).set({ licenceLapsedAt: now }).where(eq(institutions.id, inst.id));
        await this.deps.audit.record(system, { action: 'institution.licence_lapsed', objectType: 'institution', objectId: inst.id, detail: { expiresOn: inst.licenceExpiresOn, pausedProducts: paused } }, tx);
      });
    }
    // an institution already lapsed must not have listed products (e.g. relisted by mistake, or a crash above)
    const lapsed = await this.deps.db.select({ id: institutions.id }).from(institutions).where(isNotNull(institutions.licenceLapsedAt));
    for (const inst of lapsed) await this.deps.products.pauseAllListed(inst.id, '牌照已到期');
    return { warned: expiring.map((i) => i.id), lapsed: lapsing.map((i) => i.id) };
  }

  /** Records a renewed licence; a lapse is cleared (the institution resumes its products itself). */
  async renew(institutionId: string, input: { licenceNumber: string; licenceExpiresOn: string }, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const fields: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.licenceExpiresOn) || Number.isNaN(Date.parse(input.licenceExpiresOn))) fields.licenceExpiresOn = '请填写有效日期';
    else if (input.licenceExpiresOn <= shanghaiDate(now)) fields.licenceExpiresOn = '到期日应晚于今天';
    if (!input.licenceNumber.trim()) fields.licenceNumber = '请填写牌照编号';
    if (Object.keys(fields).length) throw new ValidationError('牌照信息有误', fields);
    await withTransaction(this.deps.db, async (tx) => {
      const [row] = await tx
        .update(institutions)
        .set({ licenceNumber: input.licenceNumber.trim(), licenceExpiresOn: input.licenceExpiresOn, licenceLapsedAt: null, licenceWarnedFor: null })
        .where(eq(institutions.id, institutionId))
        .returning();
      if (!row) throw new NotFoundError('机构');
      await this.deps.audit.record(actor, { action: 'institution.licence_renewed', objectType: 'institution', objectId: institutionId, detail: { expiresOn: input.licenceExpiresOn } }, tx);
    });
  }
}
