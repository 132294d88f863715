import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { PiiCipher } from '../../lib/pii';
import { withTransaction, WriteBatch } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { MemoryLocks } from '../../adapters/redis/lock';
import type { TickerDefinition } from '../../jobs/job';
import { Scheduler } from '../../jobs/scheduler';
import { AuditService, type AuditActor } from '../audit';
import { JobsService } from '../jobs';
import { institutions } from '../institutions/institutions.schema';
import { webhookDeliveries, webhookEndpoints } from './webhooks.schema';
import { MAX_ATTEMPTS, WebhooksService, retryDelayMs } from './webhooks.service';
import { webhookJobs } from './webhooks.jobs';
import { verifySignature } from './signature';
import type { Resolve } from './address-guard';

interface Received {
  path: string;
  deliveryId: string | undefined;
  event: string | undefined;
  contentType: string | undefined;
  body: { id: string; event: string; createdAt: string; data: Record<string, unknown> };
  validSignature: boolean;
  answered: number | 'hung';
}

/** What the receiver answers on a path: a status code, or 'hang' (never answer). `n` counts from 1. */
type Behaviour = (n: number) => number | 'hang';

/** A real HTTP receiver on 127.0.0.1 that checks every signature with the secret of its path. */
class Receiver {
  readonly received: Received[] = [];
  readonly secrets = new Map<string, string>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private server!: Server;
  base = '';

  constructor(private readonly clock: () => number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  on(path: string, behaviour: Behaviour): string {
    this.behaviours.set(path, behaviour);
    return `${this.base}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    const secret = this.secrets.get(path) ?? '';
    const header = req.headers['x-daichao-signature'];
    const answer = (this.behaviours.get(path) ?? (() => 404))(n);
    this.received.push({
      path,
      deliveryId: req.headers['x-daichao-delivery'] as string | undefined,
      event: req.headers['x-daichao-event'] as string | undefined,
      contentType: req.headers['content-type'],
      body: JSON.parse(raw) as Received['body'],
      validSignature: verifySignature(secret, raw, typeof header === 'string' ? header : undefined, { now: this.clock() }),
      answered: answer === 'hang' ? 'hung' : answer,
    });
    if (answer === 'hang') return;
    res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'temporarily broken');
  }
}

const actor: AuditActor = { kind: 'institution', id: 'usr_test' };

/** Fixed DNS answers, so no test depends on the network; `dns` may be changed by a test (rebinding). */
const dns: Record<string, string[]> = { 'example.com': ['93.184.216.34'], localhost: ['127.0.0.1'] };
const resolveCalls: string[] = [];
const resolve: Resolve = async (hostname) => {
  resolveCalls.push(hostname);
  const found = dns[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

describe('retryDelayMs', () => {
  it('doubles from 30 s, caps at 6 h, jitters within ±10%', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(5, () => 0.5)).toBe(480_000);
    expect(retryDelayMs(20, () => 0.5)).toBe(6 * 3_600_000);
    expect(retryDelayMs(1, () => 0)).toBe(27_000);
    expect(retryDelayMs(1, () => 0.999_999)).toBeLessThanOrEqual(33_000);
  });
});

describe.each(databaseTargets())('webhooks on $name', (target) => {
  let handle: DatabaseHandle;
  let service: WebhooksService;
  let pii: PiiCipher;
  let audit: AuditService;
  let clock = new Date();
  const now = () => new Date(clock.getTime());
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const receiver = new Receiver(() => clock.getTime());

  beforeAll(async () => {
    handle = await target.open();
    pii = new PiiCipher([{ id: 'k1', key: randomBytes(32) }]);
    audit = new AuditService({ db: handle.db, pii: testCipher() });
    // the receiver listens on 127.0.0.1: loopback is allowed here as WEBHOOK_ALLOW_LOOPBACK=true allows it in development
    service = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve, allowLoopback: true });
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await handle?.close();
  });
  // every scenario starts with nothing due: deliverDue picks deliveries of any institution
  afterEach(async () => {
    await handle.db.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.status, 'pending'));
  });

  async function institution(): Promise<string> {
    const id = newId('ins');
    await handle.db.insert(institutions).values({ id, name: `测试银行 ${id}`, shortName: '测试', kind: 'bank' });
    return id;
  }

  async function endpoint(institutionId: string, path: string, behaviour: Behaviour): Promise<string> {
    const { secret } = await service.setEndpoint(institutionId, receiver.on(path, behaviour), actor);
    receiver.secrets.set(path, secret);
    return secret;
  }

  const enqueue = (institutionId: string, payload: Record<string, unknown> = { applicationId: newId('app') }) =>
    withTransaction(handle.db, (tx) => service.enqueue(tx, institutionId, 'lead.created', payload));

  async function row(id: string) {
    const [found] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
    return found!;
  }

  it('setEndpoint returns the secret once, stores it encrypted, replaces in place and is audited', async () => {
    const ins = await institution();
    const first = await service.setEndpoint(ins, 'https://example.com/hook', actor);
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [stored] = await handle.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.institutionId, ins));
    expect(stored!.secretEnc).not.toContain(first.secret);
    expect(pii.decrypt(stored!.secretEnc)).toBe(first.secret);

    const view = await service.getEndpoint(ins);
    expect(view).toEqual({ id: first.id, url: 'https://example.com/hook', active: true, createdAt: expect.any(Date) });
    expect(JSON.stringify(view)).not.toContain('whsec_');

    const second = await service.setEndpoint(ins, 'https://example.com/v2', actor);
    expect(second.id).toBe(first.id);
    expect(second.secret).not.toBe(first.secret);
    expect((await service.getEndpoint(ins))?.url).toBe('https://example.com/v2');

    const trail = await audit.forObject('webhook_endpoint', first.id);
    expect(trail.filter((r) => r.action === 'webhook.endpoint_set')).toHaveLength(2);
    expect(JSON.stringify(trail)).not.toContain(first.secret);
    expect(await service.getEndpoint(await institution())).toBeUndefined();
  });

  it('(a) retries a failing endpoint with the same delivery id until it answers 2xx, then stops', async () => {
    const ins = await institution();
    await endpoint(ins, '/flaky', (n) => (n <= 2 ? 500 : 200));
    const payload = { applicationId: 'app_1', product: '信用贷', amountFen: 5_000_000 };
    const id = await enqueue(ins, payload);
    expect(id).toMatch(/^whd_/);

    expect(await service.deliverDue()).toEqual({ attempted: 1, delivered: 0, failed: 1 });
    let state = await row(id!);
    // the receiver's answer is not logged: only the status
    expect(state).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
    const wait = state.nextAttemptAt.getTime() - clock.getTime();
    expect(wait).toBeGreaterThanOrEqual(27_000);
    expect(wait).toBeLessThanOrEqual(33_000);
    // not due before its backoff has elapsed
    expect((await service.deliverDue()).attempted).toBe(0);

    advance(40_000);
    expect(await service.deliverDue()).toEqual({ attempted: 1, delivered: 0, failed: 1 });
    state = await row(id!);
    expect(state.attempts).toBe(2);
    expect(state.nextAttemptAt.getTime() - clock.getTime()).toBeGreaterThanOrEqual(54_000);

    advance(70_000);
    expect(await service.deliverDue()).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    state = await row(id!);
    expect(state).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(state.deliveredAt?.getTime()).toBe(clock.getTime());

    const got = receiver.at('/flaky');
    expect(got.map((r) => r.answered)).toEqual([500, 500, 200]);
    for (const r of got) {
      expect(r.validSignature).toBe(true);
      expect(r.deliveryId).toBe(id);
      expect(r.event).toBe('lead.created');
      expect(r.contentType).toBe('application/json');
      expect(r.body).toEqual({ id, event: 'lead.created', createdAt: expect.any(String), data: payload });
    }
    expect(new Set(got.map((r) => JSON.stringify(r.body))).size).toBe(1);

    advance(24 * 3_600_000);
    expect((await service.deliverDue()).attempted).toBe(0);
    expect(receiver.at('/flaky')).toHaveLength(3);

    const log = await service.deliveries(ins);
    expect(log).toEqual([
      expect.objectContaining({ id, event: 'lead.created', status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null }),
    ]);
    await expect(service.retryNow(ins, id!)).rejects.toBeInstanceOf(ConflictError);
  });

  it('(b) enqueue without an (active) endpoint returns null; a disabled endpoint is not sent to', async () => {
    const none = await institution();
    expect(await enqueue(none)).toBeNull();
    await expect(service.disableEndpoint(none, actor)).rejects.toBeInstanceOf(NotFoundError);

    const ins = await institution();
    await endpoint(ins, '/disabled', () => 200);
    const queued = await enqueue(ins);
    expect(queued).not.toBeNull();
    await service.disableEndpoint(ins, actor);
    expect((await service.getEndpoint(ins))?.active).toBe(false);
    expect(await enqueue(ins)).toBeNull();
    expect((await service.deliverDue()).attempted).toBe(0);
    expect(receiver.at('/disabled')).toHaveLength(0);
    expect((await row(queued!)).status).toBe('pending');

    // the delivery belongs to the caller's transaction: rolled back with it
    const ins2 = await institution();
    await endpoint(ins2, '/rolled-back', () => 200);
    let insideId: string | null = null;
    await expect(
      withTransaction(handle.db, async (tx) => {
        insideId = await service.enqueue(tx, ins2, 'lead.created', {});
        throw new Error('submission failed');
      }),
    ).rejects.toThrow('submission failed');
    expect(insideId).not.toBeNull();
    expect(await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, insideId!))).toEqual([]);
  });

  it('(b2) enqueueInBatch goes with the batch, only where the institution has an active endpoint, and is delivered as enqueue’s are', async () => {
    const none = await institution();
    const disabled = await institution();
    await endpoint(disabled, '/batch-disabled', () => 200);
    await service.disableEndpoint(disabled, actor);
    const active = await institution();
    await endpoint(active, '/batch', () => 200);
    const payload = (institutionId: string) => ({ leadId: `app_${institutionId}`, amount: 300 });
    await withTransaction(handle.db, async (tx) => {
      const batch = new WriteBatch(tx);
      await service.enqueueInBatch(batch, [none, disabled, active].map((institutionId) => ({ institutionId, event: 'lead.created', payload: payload(institutionId) })));
      await batch.flush();
    });
    const rows = await handle.db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.institutionId, [none, disabled, active]));
    expect(rows.map((r) => [r.institutionId, r.event, r.status, r.payload, r.nextAttemptAt.getTime(), r.createdAt.getTime()])).toEqual([
      [active, 'lead.created', 'pending', payload(active), clock.getTime(), clock.getTime()],
    ]);
    expect((await service.deliverDue()).delivered).toBe(1);
    expect(receiver.at('/batch').map((r) => [r.deliveryId, r.validSignature, r.body.data])).toEqual([[rows[0]!.id, true, payload(active)]]);
    expect(receiver.at('/batch-disabled')).toHaveLength(0);
  });

  it('(c) validates the URL', async () => {
    const ins = await institution();
    for (const url of ['ftp://x', 'http://example.com', 'http://example.com/hook', 'not a url', '', `https://example.com/${'a'.repeat(500)}`, 'https://nowhere.invalid/']) {
      const attempt = service.setEndpoint(ins, url, actor);
      await expect(attempt, url).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt, url).rejects.toMatchObject({ message: '回调地址无效', fields: { url: expect.any(String) } });
    }
    expect(await service.getEndpoint(ins)).toBeUndefined();
    for (const url of ['https://example.com/hook', 'http://127.0.0.1:1234/x', 'http://localhost:8080/hook', 'http://[::1]:9000/']) {
      expect((await service.setEndpoint(ins, url, actor)).url).toBe(url);
    }
    // without the development setting, this machine is refused as well as the internal network
    const strict = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve });
    for (const url of ['http://127.0.0.1:1234/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://[::1]/x', 'https://10.0.0.1/x', 'https://[::ffff:169.254.169.254]/x']) {
      await expect(strict.setEndpoint(ins, url, actor), url).rejects.toMatchObject({ fields: { url: expect.stringMatching(/^(须使用 https:\/\/|回调地址指向)/) } });
    }
    expect((await service.getEndpoint(ins))?.url).toBe('http://[::1]:9000/');
  });

  it('(d) two workers running at once send a due delivery once', async () => {
    const ins = await institution();
    await endpoint(ins, '/slow', () => 200);
    const id = await enqueue(ins);
    const other = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve, allowLoopback: true });
    const results = await Promise.all([service.deliverDue(), other.deliverDue(), service.deliverDue()]);
    expect(results.reduce((sum, r) => sum + r.attempted, 0)).toBe(1);
    expect(receiver.at('/slow')).toHaveLength(1);
    expect(receiver.at('/slow')[0]!.deliveryId).toBe(id);
    expect((await row(id!)).status).toBe('delivered');
  });

  it('(e) gives up after 12 failures; retryNow brings it back, for its own institution only', async () => {
    const ins = await institution();
    await endpoint(ins, '/down', () => 503);
    const id = (await enqueue(ins))!;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await service.deliverDue(), `attempt ${attempt}`).toMatchObject({ attempted: 1, failed: 1 });
      const state = await row(id);
      expect(state.attempts).toBe(attempt);
      if (attempt < MAX_ATTEMPTS) {
        expect(state.status).toBe('pending');
        const wait = state.nextAttemptAt.getTime() - clock.getTime();
        const base = Math.min(30_000 * 2 ** (attempt - 1), 6 * 3_600_000);
        expect(wait).toBeGreaterThanOrEqual(base * 0.9 - 1);
        expect(wait).toBeLessThanOrEqual(base * 1.1 + 1);
      }
      advance(7 * 3_600_000);
    }
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 12, lastStatusCode: 503 });
    expect((await service.deliverDue()).attempted).toBe(0);
    expect(receiver.at('/down')).toHaveLength(12);
    expect(new Set(receiver.at('/down').map((r) => r.deliveryId))).toEqual(new Set([id]));

    const stranger = await institution();
    await expect(service.retryNow(stranger, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.retryNow(ins, 'whd_missing')).rejects.toBeInstanceOf(NotFoundError);
    expect((await row(id)).status).toBe('failed');

    await service.retryNow(ins, id);
    const back = await row(id);
    expect(back.status).toBe('pending');
    expect(back.nextAttemptAt.getTime()).toBe(clock.getTime());
    // one more try; still broken, so failed again
    expect(await service.deliverDue()).toMatchObject({ attempted: 1, failed: 1 });
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 13 });
  });

  it('(f) a receiver that never answers times out and counts as a failure; so does a refused connection', async () => {
    const quick = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve, allowLoopback: true, timeoutMs: 200 });
    const ins = await institution();
    await endpoint(ins, '/hang', () => 'hang');
    const id = (await enqueue(ins))!;
    const started = Date.now();
    expect(await quick.deliverDue()).toEqual({ attempted: 1, delivered: 0, failed: 1 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const state = await row(id);
    expect(state).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(state.lastError).toBe('超时');
    expect(receiver.at('/hang')).toHaveLength(1);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await institution();
    await quick.setEndpoint(refused, `http://127.0.0.1:${port}/gone`, actor);
    const refusedId = (await enqueue(refused))!;
    advance(60 * 60_000); // the timed-out one is due again too
    expect(await quick.deliverDue()).toMatchObject({ attempted: 2, delivered: 0, failed: 2 });
    const refusedState = await row(refusedId);
    expect(refusedState).toMatchObject({ attempts: 1, lastStatusCode: null });
    // a generic outcome, never the network error (ECONNREFUSED vs a TLS error would map ports)
    expect(refusedState.lastError).toBe('连接失败');
  });

  it('logs only the status of a failed answer, never its body, and follows no redirect', async () => {
    const ins = await institution();
    await endpoint(ins, '/verbose', () => 400);
    const id = (await enqueue(ins))!;
    await service.deliverDue();
    expect(await row(id)).toMatchObject({ lastStatusCode: 400, lastError: 'HTTP 400' });

    const moved = await institution();
    await endpoint(moved, '/moved', () => 302);
    const movedId = (await enqueue(moved))!;
    expect(await service.deliverDue()).toMatchObject({ attempted: 1, delivered: 0 });
    expect(await row(movedId)).toMatchObject({ status: 'pending', lastStatusCode: 302, lastError: 'HTTP 302' });
    expect(receiver.at('/moved')).toHaveLength(1);
  });

  it('checks the address again at every delivery: a name that later resolves inside is refused, and nothing is sent', async () => {
    const strict = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve });
    const ins = await institution();
    // a TCP listener on this machine records any connection at all
    let connections = 0;
    const listener = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
    const port = (listener.address() as AddressInfo).port;
    try {
      dns['hooks.partner.example'] = ['93.184.216.34'];
      await strict.setEndpoint(ins, `https://hooks.partner.example:${port}/leads`, actor);
      for (const inside of [['127.0.0.1'], ['10.0.0.7'], ['93.184.216.34', '169.254.169.254'], ['::ffff:127.0.0.1']]) {
        dns['hooks.partner.example'] = inside;
        const id = (await enqueue(ins))!;
        expect(await strict.deliverDue(), inside.join()).toMatchObject({ attempted: 1, delivered: 0, failed: 1 });
        expect(await row(id), inside.join()).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: '地址不允许' });
        await handle.db.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.id, id));
      }
      expect(connections).toBe(0);

      // where loopback is allowed, the socket goes to the address the guard resolved (the system resolver knows no such name), resolved once per delivery
      dns['hooks.partner.example'] = ['127.0.0.1'];
      resolveCalls.length = 0;
      const id = (await enqueue(ins))!;
      await service.deliverDue();
      expect(connections).toBe(1);
      expect(resolveCalls).toEqual(['hooks.partner.example']);
      expect((await row(id)).lastError).toBe('连接失败'); // not a TLS server: a generic failure
    } finally {
      delete dns['hooks.partner.example'];
      listener.close();
    }
  });

  it('the dispatcher delivers in the background and stops cleanly', async () => {
    const ins = await institution();
    await endpoint(ins, '/dispatched', () => 200);
    const id = (await enqueue(ins))!;
    // the dispatcher is the scheduler's worker ticker `webhooks-deliver`, watched here for the end of each tick
    const [dispatcher] = webhookJobs(service, { safetyPollMs: 20, wakeOnCommit: false });
    const ticks: number[] = [];
    let tickEnded = () => {};
    const nextTickEnd = () => new Promise<void>((resolve) => (tickEnded = resolve));
    const watched: TickerDefinition = {
      ...dispatcher!,
      tick: async (context) => {
        const result = await dispatcher!.tick(context);
        ticks.push(result.processed);
        tickEnded();
        return result;
      },
    };
    const scheduler = new Scheduler([watched], { locks: new MemoryLocks(), runs: new JobsService({ db: handle.db, clock: { now } }) });
    // the ticker's timers run on a fake clock, moved by the test; the tick itself does real work
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      scheduler.startTickers('worker');
      const first = nextTickEnd();
      await vi.advanceTimersByTimeAsync(20); // one interval: the timer starts the first tick
      await first;
      await scheduler.stop();
      expect(ticks).toEqual([1]);
      expect((await row(id)).status).toBe('delivered');
      expect(receiver.at('/dispatched')).toHaveLength(1);

      // once stopped, nothing more is sent, however many intervals pass
      const later = (await enqueue(ins))!;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(ticks).toEqual([1]);
      expect((await row(later)).status).toBe('pending');
    } finally {
      vi.useRealTimers();
    }
  });

  /** A scheduler running the worker's webhook tickers as the worker role does, with the safety poll at an hour: only a commit can wake it. */
  async function wokenWorker(webhooks: WebhooksService) {
    const scheduler = new Scheduler(webhookJobs(webhooks, { safetyPollMs: 3_600_000 }), { locks: new MemoryLocks(), runs: new JobsService({ db: handle.db, clock: { now } }) });
    scheduler.start();
    const record = (name: string) => scheduler.tickerRecords.find((r) => r.name === name)!;
    // the listener opens at the first tick of webhooks-listen, a second after the start
    await vi.waitFor(() => expect(record('webhooks-listen')).toMatchObject({ ticks: 1, failures: 0 }), { timeout: 10_000 });
    return { scheduler, record };
  }

  it('a commit wakes the dispatcher: delivered at once with the safety poll an hour away', async () => {
    const ins = await institution();
    await endpoint(ins, '/woken', () => 200);
    const { scheduler, record } = await wokenWorker(service);
    try {
      const id = (await enqueue(ins))!;
      await vi.waitFor(() => expect(receiver.at('/woken')).toHaveLength(1), { timeout: 10_000 });
      const [got] = receiver.at('/woken');
      expect(got).toMatchObject({ deliveryId: id, validSignature: true, answered: 200 });
      await vi.waitFor(async () => expect((await row(id)).status).toBe('delivered'));
      // no poll ran in between: the safety poll's first tick is an hour away
      expect(record('webhooks-deliver').ticks).toBe(0);
    } finally {
      await scheduler.stop();
    }
  });

  it('a rolled-back transaction wakes nobody and delivers nothing; the next commit does', async () => {
    const ins = await institution();
    await endpoint(ins, '/after-rollback', () => 200);
    const ghost = await institution();
    await endpoint(ghost, '/rolled-back-woken', () => 200);
    const wakes: string[] = [];
    const listener = service.listenForCommits(() => wakes.push('wake'));
    const { scheduler, record } = await wokenWorker(service);
    try {
      await listener.ready;
      expect(listener.problem()).toBeNull();
      expect(wakes).toEqual(['wake']); // once when the listen starts
      await expect(
        withTransaction(handle.db, async (tx) => {
          await service.enqueue(tx, ghost, 'lead.created', { applicationId: newId('app') });
          throw new Error('submission failed');
        }),
      ).rejects.toThrow('submission failed');
      const id = (await enqueue(ins))!;
      await vi.waitFor(() => expect(receiver.at('/after-rollback')).toHaveLength(1), { timeout: 10_000 });
      expect(receiver.at('/after-rollback')[0]!.deliveryId).toBe(id);
      // notifications arrive in commit order: the committed one's is here, the rolled-back one never came
      await vi.waitFor(() => expect(wakes).toHaveLength(2));
      expect(receiver.at('/rolled-back-woken')).toHaveLength(0);
      expect(await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.institutionId, ghost))).toEqual([]);
      expect(record('webhooks-deliver').ticks).toBe(0);
    } finally {
      await listener.close();
      await scheduler.stop();
    }
  });

  it('two woken dispatchers on one database send each delivery once', async () => {
    const ins = await institution();
    await endpoint(ins, '/two-workers', () => 200);
    const other = new WebhooksService({ db: handle.db, pii, audit, clock: { now }, resolve, allowLoopback: true });
    const first = await wokenWorker(service);
    const second = await wokenWorker(other);
    try {
      const ids = await Promise.all(Array.from({ length: 30 }, () => enqueue(ins)));
      await vi.waitFor(
        async () => {
          const rows = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.institutionId, ins));
          expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(30);
        },
        { timeout: 20_000, interval: 50 },
      );
      // delivered rows are never claimed again, so this is the final count
      const got = receiver.at('/two-workers');
      expect(got.map((r) => r.deliveryId).sort()).toEqual([...ids].sort());
      expect(got.every((r) => r.validSignature)).toBe(true);
      for (const worker of [first, second]) expect(worker.record('webhooks-deliver').ticks).toBe(0);
    } finally {
      await first.scheduler.stop();
      await second.scheduler.stop();
    }
  });

  it('lists an institution’s deliveries newest first, only its own', async () => {
    const ins = await institution();
    await endpoint(ins, '/log', () => 200);
    const first = (await enqueue(ins))!;
    advance(1_000);
    const second = (await enqueue(ins))!;
    const log = await service.deliveries(ins);
    expect(log.map((d) => d.id)).toEqual([second, first]);
    expect(Object.keys(log[0]!).sort()).toEqual(
      ['attempts', 'createdAt', 'deliveredAt', 'event', 'id', 'lastError', 'lastStatusCode', 'nextAttemptAt', 'status'].sort(),
    );
    expect(await service.deliveries(await institution())).toEqual([]);
  });
});
