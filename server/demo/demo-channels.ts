// Demo channels (渠道): four channel partners of clearly different quality, a month of traffic
// through their tracking links, the borrowers they brought, last month's closed channel statements,
// a channel staff login, and the BI rollup of the period — so every channel page shows something on
// first start. Called from seedDemo (seed-demo.ts) after the demo borrowers and applications.

import type { Services } from '../container';
import type { AuditActor } from '../modules/audit';
import type { SessionAccount } from '../modules/accounts';
import type { PerEventTerms } from '../modules/channel-payouts';
import type { ChannelCreateInput, TouchInput } from '../modules/channels';
import { standardApplicationFields } from '../modules/consents';
import { idCheckCharacter } from '../modules/identity';
import { shanghaiDate, shanghaiDayStart } from '../lib/shanghai-date';
import { DEMO_PASSWORD } from './demo-data';

const system: AuditActor = { kind: 'system', id: 'seed-demo' };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** how far back the demo traffic reaches (the attribution window is 30 days: each registration follows its touch by minutes) */
const TRAFFIC_DAYS = 35;
/** above `risk.maxAccountsPerDevice` (default 3): the payouts' invalid-traffic rule excludes these registrations */
const SHARED_DEVICE_ACCOUNTS = 5;
/** the channel seed should take less than this on PGlite; slower, it says so (the first start waits for it) */
const SLOW_MS = 5000;

export interface DemoChannelLogin {
  username: string;
  password: string;
  channel: string;
}

type Product = { id: string; institution: string; min: number; terms: number[] };
type Outcome = 'registered' | 'verified' | 'applied' | 'approved' | 'disbursed';

export interface DemoChannelContext {
  /** listed demo products the borrower is eligible for (the seed's own check) */
  eligibleFor(accountId: string): Promise<Product[]>;
  /** the borrower accepts and signs the offer with the SMS code, as seed-demo does before any disbursement */
  acceptAsBorrower(consumerId: string, applicationId: string): Promise<void>;
  /** the argon2 hash of DEMO_PASSWORD, made once for every demo login (seed-demo.ts) */
  demoPasswordHash: string;
}

interface DemoChannel {
  key: string;
  input: ChannelCreateInput;
  links: { subId: string; label: string; landingHeadline: string; landingSubline: string }[];
  agreement: { perEvent?: PerEventTerms[]; shareRate?: string; monthlyCapFen?: number | null; note: string };
  /** visitors who came through a link and did not register */
  visitors: number;
  /** the registered borrowers, by how far each one got */
  borrowers: Outcome[];
  /** what finance does with last month's statement */
  statement: 'issued' | 'paid' | 'draft';
}

const times = (n: number, o: Outcome): Outcome[] => Array.from({ length: n }, () => o);

export const demoChannels: DemoChannel[] = [
  {
    key: 'douyin',
    input: {
      name: '抖音信息流',
      code: 'dy01',
      type: 'feed_ads',
      contactName: '孙晓峰',
      contactPhone: '13761234521',
      contactEmail: 'ads-partner@example.com',
      settlementAccountName: '上海星途网络科技有限公司',
      settlementBank: '招商银行上海张江支行',
      settlementAccountNumber: '6214830211456789',
      notes: '信息流投放，按注册与实名注册计费，月度封顶 2 万元。',
    },
    links: [
      { subId: 'feed-a', label: '信息流 A 组（通用素材）', landingHeadline: '最高可借 20 万，最快 3 分钟审批', landingSubline: '持牌机构放款，先看额度再决定' },
      { subId: 'feed-b', label: '信息流 B 组（工薪人群）', landingHeadline: '工薪族专享，日息低至 0.02%', landingSubline: '比一比多家机构的真实年化利率' },
      { subId: 'live-0518', label: '直播间挂链', landingHeadline: '直播间专属：3 步测额度', landingSubline: '不影响征信，随借随还' },
    ],
    agreement: {
      perEvent: [
        { rule: 'registration', amountFen: 800, tiers: [] },
        { rule: 'verified_registration', amountFen: 2500, tiers: [] },
      ],
      monthlyCapFen: 2_000_000,
      note: '注册 ¥8，实名注册 ¥25，月度封顶 ¥20,000',
    },
    visitors: 80,
    borrowers: [...times(1, 'disbursed'), ...times(1, 'approved'), ...times(2, 'applied'), ...times(3, 'verified'), ...times(4, 'registered')],
    statement: 'issued',
  },
  {
    key: 'appstore',
    input: {
      name: '应用商店',
      code: 'app01',
      type: 'app_store',
      contactName: '何静',
      contactPhone: '0755-86012345',
      contactEmail: 'bd@appmarket.example.com',
      settlementAccountName: '深圳应用汇信息技术有限公司',
      settlementBank: '中国工商银行深圳科技园支行',
      settlementAccountNumber: '4000023109200145678',
      notes: '应用商店搜索与推荐位，量少质高，按注册与放款计费。',
    },
    links: [
      { subId: 'search', label: '商店搜索位', landingHeadline: '正规持牌，放心借', landingSubline: '下载即可比价 40 款贷款产品' },
      { subId: 'featured', label: '首页推荐位', landingHeadline: '本周精选：低息大额贷款', landingSubline: '银行与消费金融公司产品一站比较' },
    ],
    agreement: {
      perEvent: [
        { rule: 'registration', amountFen: 1000, tiers: [] },
        { rule: 'disbursement', amountFen: 12_000, tiers: [{ fromCount: 20, amountFen: 15_000 }] },
      ],
      note: '注册 ¥10；放款每笔 ¥120，当月第 20 笔起 ¥150',
    },
    visitors: 30,
    borrowers: [...times(2, 'disbursed'), ...times(1, 'approved'), ...times(1, 'applied'), ...times(2, 'verified'), ...times(1, 'registered')],
    statement: 'paid',
  },
  {
    key: 'ditui',
    input: {
      name: '地推代理',
      code: 'dt01',
      type: 'agent',
      contactName: '马国庆',
      contactPhone: '13598765410',
      contactEmail: '',
      settlementAccountName: '马国庆',
      settlementBank: '中国农业银行郑州金水支行',
      settlementAccountNumber: '6228480018765432109',
      notes: '线下地推，按注册计费；注意同一设备多个账号的情况。',
    },
    links: [
      { subId: 'team-zz', label: '郑州地推小组', landingHeadline: '扫码注册，领取额度测评', landingSubline: '30 秒完成，结果立即可见' },
      { subId: 'team-ly', label: '洛阳地推小组', landingHeadline: '家门口的贷款顾问', landingSubline: '多家机构产品，一次比较' },
    ],
    agreement: { perEvent: [{ rule: 'registration', amountFen: 2000, tiers: [] }], note: '注册 ¥20（无效流量不计费）' },
    visitors: 25,
    borrowers: [...times(1, 'applied'), ...times(1, 'verified'), ...times(3, 'registered')],
    statement: 'issued',
  },
  {
    key: 'sms',
    input: {
      name: '短信营销',
      code: 'sms01',
      type: 'sms',
      contactName: '周婷',
      contactPhone: '021-61234567',
      contactEmail: 'service@sms-push.example.com',
      settlementAccountName: '上海讯达通信服务有限公司',
      settlementBank: '交通银行上海徐汇支行',
      settlementAccountNumber: '310066726018001234567',
      notes: '短信群发触达，访问多、转化低，按注册计费并分享平台佣金。',
    },
    links: [
      { subId: 'nov-promo', label: '双十一促销短信', landingHeadline: '限时免息券，最长 30 天', landingSubline: '仅限新用户，领完即止' },
      { subId: 'reactivate', label: '沉默用户唤醒', landingHeadline: '您有一笔额度待领取', landingSubline: '点击查看您的可借额度' },
      { subId: '', label: '通用短链', landingHeadline: '', landingSubline: '' },
    ],
    agreement: { perEvent: [{ rule: 'registration', amountFen: 200, tiers: [] }], shareRate: '0.2000', note: '注册 ¥2，另分享平台佣金 20%' },
    visitors: 110,
    borrowers: [...times(1, 'applied'), ...times(1, 'verified'), ...times(2, 'registered')],
    statement: 'draft',
  },
];

export const demoChannelLogins: DemoChannelLogin[] = [{ username: 'douyin.admin', password: DEMO_PASSWORD, channel: '抖音信息流' }];

/** A small deterministic pseudo-random generator (mulberry32): the same demo every first start. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first instant of the Shanghai month `offset` months from the one `at` is in (0 = this month, -1 = the previous one). */
function shanghaiMonthStart(at: Date, offset = 0): Date {
  const [y, m] = shanghaiDate(at).split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + offset, 1));
  return shanghaiDayStart(d.toISOString().slice(0, 10));
}

const people = [
  { name: '陈静', birth: '19910412', region: '410105', profile: { city: '郑州', monthlyIncomeFen: 800_000, employment: '上班族', housing: '租房', monthlyDebtFen: 100_000, creditSelfAssessment: 'fair' } },
  { name: '刘洋', birth: '19870923', region: '440305', profile: { city: '深圳', monthlyIncomeFen: 2_500_000, employment: '上班族', housing: '按揭', monthlyDebtFen: 400_000, creditSelfAssessment: 'good' } },
  { name: '杨帆', birth: '19930115', region: '320106', profile: { city: '南京', monthlyIncomeFen: 1_200_000, employment: '上班族', housing: '自有住房', monthlyDebtFen: 0, creditSelfAssessment: 'excellent' } },
  { name: '黄磊', birth: '19890630', region: '330106', profile: { city: '杭州', monthlyIncomeFen: 1_800_000, employment: '个体户', housing: '自有住房', monthlyDebtFen: 300_000, creditSelfAssessment: 'good' } },
  { name: '赵敏', birth: '19960802', region: '420106', profile: { city: '武汉', monthlyIncomeFen: 700_000, employment: '上班族', housing: '租房', monthlyDebtFen: 50_000, creditSelfAssessment: 'fair' } },
];

/**
 * Seeds the demo channels. Touches and attributions are backdated over the last ~35 days (the
 * services' `at` options); identities, applications, approvals and loans are dated now (they
 * cannot be backdated), so last month's statements hold the registration-based payouts of last
 * month's attributions. Returns the channel staff logins.
 */
export async function seedDemoChannels(services: Services, ctx: DemoChannelContext, now = new Date()): Promise<DemoChannelLogin[]> {
  const started = performance.now();
  const rnd = random(17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const thisMonth = shanghaiMonthStart(now);
  const lastMonth = shanghaiMonthStart(now, -1);
  const trafficStart = new Date(now.getTime() - TRAFFIC_DAYS * DAY);
  // the part of the traffic period in last month (always some days: no month has 35 days)
  const lastMonthFrom = Math.max(trafficStart.getTime(), lastMonth.getTime());
  const lastMonthTo = thisMonth.getTime() - 2 * HOUR;
  const inLastMonth = () => new Date(lastMonthFrom + rnd() * (lastMonthTo - lastMonthFrom));
  const inTraffic = () => new Date(trafficStart.getTime() + rnd() * (now.getTime() - 3 * HOUR - trafficStart.getTime()));
  const agreementsFrom = shanghaiMonthStart(now, -2);
  let person = 0;

  // how long each part took (ms), said only when the whole is slow
  const phase: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    phase[name] = (phase[name] ?? 0) + Math.round(t - mark);
    mark = t;
  };
  // who registers through which channel, when and on which device: the first few of each channel
  // last month, so its statement has lines; 地推代理's burst from one shared device (excluded as
  // invalid traffic) too
  const plans = demoChannels.map((demo) => {
    const code = demo.input.code;
    const subIds = demo.links.map((l) => l.subId);
    const shared = demo.key === 'ditui' ? SHARED_DEVICE_ACCOUNTS : 0;
    const burstAt = inLastMonth();
    const plan: { outcome: Outcome; device: string; at: Date; subId: string }[] = [
      ...Array.from({ length: shared }, (_, i) => ({ outcome: 'registered' as Outcome, device: `demo-d:${code}:shared-01`, at: new Date(burstAt.getTime() + i * 7 * MINUTE), subId: subIds[0]! })),
      ...demo.borrowers.map((outcome, i) => ({ outcome, device: `demo-d:${code}:b${i}`, at: i < 3 ? inLastMonth() : inTraffic(), subId: pick(subIds) })),
    ];
    const prefix = demo.key === 'sms' ? '77' : demo.key === 'ditui' ? '55' : demo.key === 'appstore' ? '86' : '39';
    const registrants = plan.map((b, i) => {
      person += 1;
      return { ...b, n: person, visitor: `demo-v:${code}:b${i}`, phone: `1${prefix}${String(61_000_000 + person * 7).padStart(8, '0')}`, who: people[person % people.length]!, attributeAt: new Date(b.at.getTime() + (3 + rnd() * 40) * MINUTE) };
    });
    return { demo, code, subIds, registrants };
  });
  const everyone = plans.flatMap((p) => p.registrants);
  // the registrations (one shared password hash, see seed-demo.ts) queue on the database while the
  // channels and their touches are written
  const hashing = inBatches(everyone, 4, (r) =>
    services.accounts.registerConsumer({ phone: r.phone, password: DEMO_PASSWORD, displayName: r.who.name }, undefined, { passwordHash: ctx.demoPasswordHash }),
  );
  hashing.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

  const channelIds = new Map<string, string>();
  for (const { demo, code, subIds, registrants } of plans) {
    const { channel } = await services.channels.create(demo.input, system);
    channelIds.set(demo.key, channel.id);
    for (const link of demo.links) await services.channels.createLink(channel.id, link, system);
    await services.channelPayouts.createAgreement(
      { channelId: channel.id, perEvent: demo.agreement.perEvent ?? [], shareRate: demo.agreement.shareRate, monthlyCapFen: demo.agreement.monthlyCapFen ?? null, reversalWindowDays: 30, effectiveFrom: agreementsFrom, note: demo.agreement.note },
      { actor: system, now },
    );
    lap('create');
    // the channel's touches written in one statement (PGlite spends ~2 ms of CPU per statement)
    const touches: TouchInput[] = [];
    const touch = (visitor: string, device: string, at: Date, subId = pick(subIds)) =>
      touches.push({ code, subId, visitor, device, clickId: `${code}-${Math.floor(rnd() * 1e9).toString(36)}`, landingPath: subId ? `/c/${code}/${subId}` : `/c/${code}`, at });
    // visitors who looked and left (some came back another day), then the ones who registered
    for (let v = 0; v < demo.visitors; v += 1) {
      const at = inTraffic();
      touch(`demo-v:${code}:${v}`, `demo-d:${code}:${v}`, at);
      if (rnd() < 0.15) touch(`demo-v:${code}:${v}`, `demo-d:${code}:${v}`, new Date(Math.min(at.getTime() + (1 + rnd() * 3) * DAY, now.getTime() - HOUR)));
    }
    for (const r of registrants) touch(r.visitor, r.device, r.at, r.subId);
    await services.channels.recordTouches(touches);
    lap('touches');
  }

  const accounts = await hashing;
  lap('register');
  const agreed = await services.contracts.currentAgreements();
  for (const [i, r] of everyone.entries()) {
    const account = accounts[i]!;
    await services.contracts.acceptAgreements(account.id, { userAgreement: agreed.user_agreement.version, privacyPolicy: agreed.privacy_policy.version }, { ip: '127.0.0.1' });
    await services.channels.attribute(account.id, { visitor: r.visitor, device: r.device, at: r.attributeAt });
    lap('attribute');
    if (r.outcome === 'registered') continue;
    const first17 = `${r.who.region}${r.who.birth}${String(300 + r.n).padStart(3, '0')}`;
    await services.identity.verify(account.id, { realName: r.who.name, idNumber: first17 + idCheckCharacter(first17) }, system);
    const summary = await services.identity.summary(account.id);
    await services.accounts.saveProfile(account.id, { ...r.who.profile, age: summary.age ?? null });
    lap('verify');
    if (r.outcome === 'verified') continue;
    await applyAndDecide(services, ctx, account, r.outcome, r.n);
    lap('apply');
  }

  // payables up to now, last month closed as the 1st's 02:10 job would have, statements issued
  await services.channelPayouts.postPayables(now, { from: new Date(agreementsFrom.getTime()) });
  lap('payables');
  const closeAt = new Date(Math.min(thisMonth.getTime() + 2 * HOUR + 10 * MINUTE, now.getTime()));
  const period = shanghaiDate(lastMonth).slice(0, 7);
  await services.channelPayouts.closeMonth(period, { now: closeAt, channelIds: [...channelIds.values()] });
  for (const demo of demoChannels) {
    const [statement] = await services.channelPayouts.list({ channelId: channelIds.get(demo.key)! });
    if (!statement || demo.statement === 'draft') continue;
    const status = await services.channelPayouts.issue(statement.id, system, now);
    if (demo.statement === 'paid' && status === 'issued') {
      await services.channelPayouts.recordPayment(statement.id, { amountFen: statement.totalFen, paidAt: now, reference: `DEMO${period.replace('-', '')}0001` }, system, now);
    }
  }

  lap('close');
  const logins: DemoChannelLogin[] = [];
  for (const l of demoChannelLogins) {
    const channelId = channelIds.get(demoChannels.find((c) => c.input.name === l.channel)!.key)!;
    await services.accounts.createStaff(
      { kind: 'channel', username: l.username, password: l.password, displayName: '孙晓峰', role: 'channel_admin', channelId },
      undefined,
      l.password === DEMO_PASSWORD ? { passwordHash: ctx.demoPasswordHash } : {},
    );
    logins.push(l);
  }

  // the BI rollup of the traffic period now, so /admin/bi shows it on the first page view (the
  // ticker would fill the missing days only a few at a time); the catalogue's buffered events
  // written first, so today's rollup counts them however fast the seed ran
  await services.catalogue.flushEvents();
  await services.bi.rebuild(shanghaiDate(trafficStart), shanghaiDate(now), now);
  lap('bi');
  const ms = performance.now() - started;
  if (ms > SLOW_MS) process.stderr.write(`演示渠道数据写入较慢：${Math.round(ms)} ms（预期少于 ${SLOW_MS} ms）：${JSON.stringify(phase)}\n`);
  return logins;
}

/** `fn` over `items`, at most `size` at a time, results in order. */
async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** The borrower applies to one eligible product; an approval and a disbursement go through the institution's own path. */
async function applyAndDecide(services: Services, ctx: DemoChannelContext, account: SessionAccount, outcome: Outcome, n: number): Promise<void> {
  const eligible = await ctx.eligibleFor(account.id);
  const product = eligible[n % Math.max(1, eligible.length)];
  if (!product) return;
  const amountFen = product.min * 2;
  const termMonths = product.terms[Math.min(1, product.terms.length - 1)]!;
  const context = { actor: system, device: `demo:${account.id}`, visitor: `demo:${account.id}`, door: 'web' as const };
  const { created } = await services.submission.apply(account, { items: [{ productId: product.id, amountFen, termMonths }], purpose: '消费', consents: [{ institutionId: product.institution, fields: standardApplicationFields }] }, context);
  const appId = created[0];
  if (!appId || outcome === 'applied') return;
  await services.applications.changeStatusByInstitution(product.institution, appId, { status: 'reviewing' }, system);
  const offeredApr = (Number(await services.applications.quotedAprPercent({ productId: product.id, amountFen, termMonths })) / 100).toFixed(6);
  await services.applications.changeStatusByInstitution(product.institution, appId, { status: 'approved', offeredAmountFen: amountFen, offeredTermMonths: termMonths, offeredApr }, system);
  if (outcome !== 'disbursed') return;
  await ctx.acceptAsBorrower(account.id, appId);
  await services.applications.changeStatusByInstitution(product.institution, appId, { status: 'disbursed', amountFen }, system);
}
