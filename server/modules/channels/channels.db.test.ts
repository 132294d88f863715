import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { TestClock } from '../../lib/clock';
import { NotFoundError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { accounts } from '../accounts/accounts.schema';
import { AuditService, type AuditActor } from '../audit';
import { channelPostbacks, channelTouches } from './channels.schema';
import { ChannelsService } from './channels.service';
import { channelJobs } from './channels.jobs';

const DAY = 86_400_000;
const operator: AuditActor = { kind: 'operator', id: null };

describe.each(databaseTargets())('channel touches and attribution on $name', (target) => {
  let handle: DatabaseHandle;
  let service: ChannelsService;
  let windowDays = 30;
  const clock = new TestClock('2026-11-01T04:00:00Z');
  const pii = testCipher();
  let seq = 0;
  const code = () => `db${++seq}x${process.pid % 100}`;

  const newAccount = async () => {
    const id = newId('usr');
    await handle.db.insert(accounts).values({ id, kind: 'consumer', loginHash: id, loginEnc: 'x', loginMasked: 'x', passwordHash: 'x', displayNameEnc: pii.encrypt('测试'), role: 'consumer' });
    return id;
  };
  /** registers an account for the visitor now, with the rule inside the transaction, as registerAgreeing does */
  const registerNow = async (visitor: string, extra: { channel?: { code: string; sub?: string; clickId?: string } } = {}) => {
    const id = await newAccount();
    const step = await service.attributionStep({ visitor, device: 'web:device-1', ...extra });
    const result = await withTransaction(handle.db, (tx) => step(tx, id));
    return { id, result };
  };

  beforeAll(async () => {
    handle = await target.open();
    service = new ChannelsService({ db: handle.db, pii, audit: new AuditService({ db: handle.db, pii }), clock, attributionWindowDays: async () => windowDays, publicUrl: 'https://daichao.example.cn/', allowLoopback: true });
  }, 60_000);
  afterAll(async () => handle?.close());

  it('the window is inclusive at exactly N days and exclusive a millisecond before', async () => {
    const { channel } = await service.create({ name: '边界渠道', code: code(), type: 'sms' }, operator);
    const start = clock.now();
    const onEdge = randomUUID();
    const tooOld = randomUUID();
    expect(await service.recordTouch({ code: channel.code, visitor: onEdge, at: new Date(start.getTime() - 30 * DAY) })).toBe(true);
    expect(await service.recordTouch({ code: channel.code, visitor: tooOld, at: new Date(start.getTime() - 30 * DAY - 1) })).toBe(true);
    expect((await registerNow(onEdge)).result).toMatchObject({ channelId: channel.id, device: 'web:device-1' });
    expect((await registerNow(tooOld)).result).toBeNull();
    // a touch in the future of the registration (a clock skew) does not count either
    const ahead = randomUUID();
    await service.recordTouch({ code: channel.code, visitor: ahead, at: new Date(start.getTime() + 60_000) });
    expect((await registerNow(ahead)).result).toBeNull();
  });

  it('first touch by time wins; ties go to the earlier row; an inactive first channel gives way to the next active one', async () => {
    const a = (await service.create({ name: '甲', code: code(), type: 'feed_ads' }, operator)).channel;
    const b = (await service.create({ name: '乙', code: code(), type: 'agent' }, operator)).channel;
    const visitor = randomUUID();
    const at = new Date(clock.now().getTime() - 2 * DAY);
    await service.recordTouch({ code: b.code, visitor, subId: 'later', at: new Date(at.getTime() + 1000) });
    await service.recordTouch({ code: a.code, visitor, subId: 'first', clickId: 'c-1', at });
    await service.recordTouch({ code: b.code, visitor, subId: 'same-time', at });
    expect((await registerNow(visitor)).result).toMatchObject({ channelId: a.id, subId: 'first', clickId: 'c-1' });

    const other = randomUUID();
    await service.recordTouch({ code: a.code, visitor: other, at });
    await service.recordTouch({ code: b.code, visitor: other, subId: 'second', at: new Date(at.getTime() + 5000) });
    await service.setStatus(a.id, 'terminated', operator);
    expect((await registerNow(other)).result).toMatchObject({ channelId: b.id, subId: 'second' });
    // a terminated channel records nothing more
    expect(await service.recordTouch({ code: a.code, visitor: randomUUID() })).toBe(false);
  });

  it('records a batch of touches in one statement, in order, with the 30-minute rule inside the batch and against recorded touches', async () => {
    const a = (await service.create({ name: '批量甲', code: code(), type: 'feed_ads' }, operator)).channel;
    const paused = (await service.create({ name: '批量乙', code: code(), type: 'sms' }, operator)).channel;
    await service.setStatus(paused.id, 'paused', operator);
    const visitor = randomUUID();
    const at = new Date(clock.now().getTime() - DAY);
    const min = 60_000;
    await service.recordTouch({ code: a.code, visitor, subId: 'old', at });
    const recorded = await service.recordTouches([
      { code: a.code, visitor, subId: 'old', at: new Date(at.getTime() + 10 * min) }, // within 30 minutes of a recorded touch
      { code: a.code, visitor, subId: 'new', clickId: 'c-9', at: new Date(at.getTime() + 10 * min) },
      { code: a.code, visitor, subId: 'new', at: new Date(at.getTime() + 29 * min) }, // within 30 minutes of the batch's previous one
      { code: a.code, visitor, subId: 'new', at: new Date(at.getTime() + 41 * min) },
      { code: a.code, visitor, subId: 'bad sub id', at },
      { code: paused.code, visitor, at },
      { code: a.code, visitor: randomUUID(), clickId: 'bad click id', landingPath: '/c/x', at },
    ]);
    expect(recorded).toBe(3);
    const rows = await handle.db.select().from(channelTouches).where(eq(channelTouches.channelId, a.id)).orderBy(channelTouches.id);
    expect(rows.map((r) => [r.subId, r.clickId, r.touchedAt.getTime() - at.getTime()])).toEqual([
      ['old', '', 0],
      ['new', 'c-9', 10 * min],
      ['new', '', 41 * min],
      ['', '', 0],
    ]);
    expect(rows[3]!.landingPath).toBe('/c/x');
    expect(await service.recordTouches([])).toBe(0);
  });

  it("an app's channel is a touch now: an earlier touch in the window still wins; a malformed click id is dropped", async () => {
    const web = (await service.create({ name: '网页', code: code(), type: 'feed_ads' }, operator)).channel;
    const app = (await service.create({ name: '应用', code: code(), type: 'partner_app' }, operator)).channel;
    const visitor = randomUUID();
    await service.recordTouch({ code: web.code, visitor, at: new Date(clock.now().getTime() - DAY) });
    expect((await registerNow(visitor, { channel: { code: app.code, sub: 'x' } })).result!.channelId).toBe(web.id);
    expect((await registerNow(randomUUID(), { channel: { code: app.code, sub: 'x', clickId: 'k-1' } })).result).toMatchObject({ channelId: app.id, subId: 'x', clickId: 'k-1' });
    const dropped = randomUUID();
    expect(await service.recordTouch({ code: web.code, visitor: dropped, clickId: 'bad click id' })).toBe(true);
    const [touch] = await handle.db.select().from(channelTouches).where(eq(channelTouches.visitor, dropped));
    expect(touch!.clickId).toBe('');
  });

  it('a wider window setting counts an older touch; attribute() never changes an existing row', async () => {
    const { channel } = await service.create({ name: '窗口', code: code(), type: 'sms' }, operator);
    const visitor = randomUUID();
    await service.recordTouch({ code: channel.code, visitor, at: new Date(clock.now().getTime() - 40 * DAY) });
    windowDays = 45;
    try {
      const { id, result } = await registerNow(visitor);
      expect(result!.channelId).toBe(channel.id);
      const other = (await service.create({ name: '后来者', code: code(), type: 'sms' }, operator)).channel;
      const second = randomUUID();
      await service.recordTouch({ code: other.code, visitor: second });
      expect(await service.attribute(id, { visitor: second, device: 'web:other' })).toBeNull();
      expect((await service.attributionOf(id))!.channelId).toBe(channel.id);
    } finally {
      windowDays = 30;
    }
  });

  it('postbacks: queued only for channels with a URL that are not terminated, each under its own channel; the log of an unknown channel is a 404', async () => {
    const quiet = (await service.create({ name: '无回传', code: code(), type: 'sms' }, operator)).channel;
    const visitor = randomUUID();
    await service.recordTouch({ code: quiet.code, visitor });
    await registerNow(visitor);
    const ended = (await service.create({ name: '已终止', code: code(), type: 'sms', postbackUrl: 'http://127.0.0.1:9/ended' }, operator)).channel;
    const endedVisitor = randomUUID();
    await service.recordTouch({ code: ended.code, visitor: endedVisitor });
    await registerNow(endedVisitor);
    await service.setStatus(ended.id, 'terminated', operator);
    const live = (await service.create({ name: '回传中', code: code(), type: 'sms', postbackUrl: 'http://127.0.0.1:9/live' }, operator)).channel;
    const liveVisitor = randomUUID();
    await service.recordTouch({ code: live.code, visitor: liveVisitor, clickId: 'live-1' });
    const { id: liveAccount } = await registerNow(liveVisitor);

    expect(await service.enqueuePostbacks()).toBe(1);
    const queued = await handle.db.select().from(channelPostbacks);
    expect(queued.map((p) => [p.channelId, p.kind, p.sourceId, p.clickId])).toEqual([[live.id, 'registration', liveAccount, 'live-1']]);
    expect(await service.postbackLog(ended.id)).toEqual([]);
    expect(await service.postbackLog(quiet.id)).toEqual([]);
    await expect(service.postbackLog('chn_nosuchchannel0000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('declares its two worker tickers', () => {
    expect(channelJobs(service).map((j) => [j.name, j.scope])).toEqual([
      ['channel-postbacks-enqueue', 'worker'],
      ['channel-postbacks-deliver', 'worker'],
    ]);
  });
});
