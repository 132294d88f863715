import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutions, products } from '../../server/db/schema';
import { startTestApp, type TestApp } from '../support/app';
import { staffAgent } from '../support/http';

describe('licence expiry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('warns before the licence lapses, pauses the products when it does, once; a renewal clears the lapse', async () => {
    const { licences, catalogue, settings } = t.container.services;
    const db = t.container.database.db;
    const A = t.fixtures.institutionA;
    await db.update(institutions).set({ licenceExpiresOn: '2027-03-31', licenceNumber: 'B0001' }).where(eq(institutions.id, A.id));
    await settings.set('licence.warningDays', 30, { kind: 'system' });

    // 40 days before: nothing; 10 days before (Shanghai time): a warning, recorded once
    expect(await licences.enforce(new Date('2027-02-19T03:00:00Z'))).toEqual({ warned: [], lapsed: [] });
    expect(await licences.enforce(new Date('2027-03-21T03:00:00Z'))).toEqual({ warned: [A.id], lapsed: [] });
    expect(await licences.enforce(new Date('2027-03-22T03:00:00Z'))).toEqual({ warned: [], lapsed: [] });
    const [inst] = await db.select().from(institutions).where(eq(institutions.id, A.id));
    expect(await licences.stateOf(inst!, new Date('2027-03-21T03:00:00Z'))).toEqual({ state: 'expiring', daysLeft: 10 });

    // the last valid day is 31 March in Shanghai: still listed at 23:30 that day, paused after midnight
    expect(await licences.enforce(new Date('2027-03-31T15:30:00Z'))).toEqual({ warned: [], lapsed: [] });
    expect((await catalogue.get(A.productId)).status).toBe('listed');
    expect(await licences.enforce(new Date('2027-03-31T16:30:00Z'))).toEqual({ warned: [], lapsed: [A.id] });
    const [paused] = await db.select().from(products).where(eq(products.id, A.productId));
    expect(paused!.status).toBe('paused');
    expect(catalogue.allListed().map((p) => p.id)).not.toContain(A.productId);
    // B is untouched; running again changes nothing
    expect((await catalogue.get(t.fixtures.institutionB.productId)).status).toBe('listed');
    expect(await licences.enforce(new Date('2027-04-01T03:00:00Z'))).toEqual({ warned: [], lapsed: [] });
    const audit = await t.container.services.audit.forObject('institution', A.id);
    expect(audit.filter((a) => a.action === 'institution.licence_lapsed')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'institution.licence_expiring')).toHaveLength(1);

    // the reason is kept with the product; nothing resumes while the licence has lapsed
    const history = await t.container.services.products.statusHistory(A.productId);
    expect(history[0]).toMatchObject({ toStatus: 'paused', actorKind: 'system', reason: expect.stringContaining('牌照已于 2027-03-31 到期') });
    const staffActor = { kind: 'institution' as const, id: 'stf' };
    await expect(t.container.services.products.resume(A.productId, staffActor, A.id)).rejects.toMatchObject({ code: 'licence_lapsed' });

    // the portal shows the lapse; an operator records the renewed licence
    const partner = await staffAgent(t.app, 'partner', A.staff);
    expect((await partner.get('/partner/').expect(200)).text).toContain('牌照已到期');
    await licences.renew(A.id, { licenceNumber: 'B0002', licenceExpiresOn: '2099-12-31' }, { kind: 'operator', id: 'op' });
    const [renewed] = await db.select().from(institutions).where(eq(institutions.id, A.id));
    expect(renewed!.licenceLapsedAt).toBeNull();
    expect((await licences.stateOf(renewed!)).state).toBe('valid');
    await t.container.services.products.resume(A.productId, staffActor, A.id);
    expect((await catalogue.get(A.productId)).status).toBe('listed');
    await expect(licences.renew(A.id, { licenceNumber: 'B0003', licenceExpiresOn: '2001-01-01' }, { kind: 'operator', id: 'op' })).rejects.toMatchObject({ fields: { licenceExpiresOn: expect.any(String) } });
  });
});
