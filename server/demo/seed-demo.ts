import { unifiedCodeCheckChar } from '../modules/institutions';
import { hashPassword } from '../modules/accounts';
import type { Services } from '../container';
import type { AuditActor } from '../modules/audit';
import { checkEligibility, eligibilityProfileOf } from '../modules/catalogue';
import { standardApplicationFields } from '../modules/consents';
import { idCheckCharacter } from '../modules/identity';
import { DEMO_PASSWORD, demoConsumers, demoInstitutions, demoOperators, demoProducts } from './demo-data';
import { seedDemoContent } from './demo-content';
import { seedDemoDesk } from './demo-desk';
import { seedDemoDecisions } from './demo-decisions';
import { demoChannelLogins, seedDemoChannels, type DemoChannelLogin } from './demo-channels';

export interface DemoLogins {
  consumer: { phone: string; password: string }[];
  institution: { username: string; password: string; institution: string }[];
  operator: { username: string; password: string; role: string }[];
  channel: DemoChannelLogin[];
  apiKey?: { institution: string; key: string };
}

const system: AuditActor = { kind: 'system', id: 'seed-demo' };
const yuan = (v: number) => Math.round(v * 100);

/** A checksum-valid unified social credit code and a licence for demo institution `index`; the third one's licence lapses in 20 days, so the warning shows. */
function demoLicence(index: number, kind: string) {
  const first17 = `91310000MA1${String(index + 1).padStart(6, '0')}`;
  const days = index === 2 ? 20 : 730 + index * 30;
  return {
    unifiedCode: first17 + unifiedCodeCheckChar(first17),
    licenceType: kind === 'microloan' ? '小额贷款业务经营许可证' : '金融许可证',
    licenceNumber: `${kind === 'microloan' ? 'XD' : 'B'}${String(2026_0000 + index * 37)}`,
    licenceExpiresOn: new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10),
  };
}

/**
 * Fills an empty database with realistic demo data: 8 institutions, 40 listed products,
 * agreements, staff and consumer accounts, a few applications in different states, and ≈3,000
 * decided applications of the past year for the approval odds (demo-decisions.ts), and four
 * channels with a month of traffic, their borrowers and last month's statements (demo-channels.ts).
 * Does nothing when institutions already exist (so it runs on first start only).
 */
export async function seedDemo(services: Services): Promise<DemoLogins | null> {
  if ((await services.institutions.count()) > 0) return null;
  // Every demo login has the same published password, so its argon2 hash (~50 ms of CPU at 19 MiB,
  // the seed's slowest step when made for each of the ~50 accounts) is made once and stored for
  // all of them. The salt is then shared: anyone who cracks one hash knows every demo password,
  // which is printed at start anyway. Acceptable for DEMO data only; real accounts are each hashed
  // with their own salt (AccountsService.insert).
  const demoPasswordHash = await hashPassword(DEMO_PASSWORD);
  const reuse = { passwordHash: demoPasswordHash };
  const logins: DemoLogins = { consumer: [], institution: [], operator: [], channel: [] };
  const institutionIds = new Map<string, string>();

  for (const [index, demo] of demoInstitutions.entries()) {
    const institution = await services.institutions.create({
      name: demo.name,
      shortName: demo.shortName,
      kind: demo.kind,
      description: demo.description,
      ...demo.profile,
      ...demoLicence(index, demo.kind),
    });
    institutionIds.set(demo.key, institution.id);
    await services.settlement.createAgreement({
      institutionId: institution.id,
      cplFen: yuan(demo.agreement.cplYuan),
      cpaFen: yuan(demo.agreement.cpaYuan),
      cpsRate: demo.agreement.cpsRate,
      tiers: demo.agreement.cpsTier ? [{ rule: 'cps', ...demo.agreement.cpsTier }] : [],
      cpsEventCapFen: demo.agreement.cpsCapYuan ? yuan(demo.agreement.cpsCapYuan) : null,
      reversalWindowDays: 30,
      effectiveFrom: new Date('2026-01-01T00:00:00+08:00'),
    });
    for (const s of demo.staff) {
      await services.accounts.createStaff({
        kind: 'institution',
        username: s.username,
        password: DEMO_PASSWORD,
        displayName: s.displayName,
        role: s.role,
        institutionId: institution.id,
      }, undefined, reuse);
      logins.institution.push({ username: s.username, password: DEMO_PASSWORD, institution: demo.shortName });
    }
  }

  const kindOf = new Map(demoInstitutions.map((i) => [i.key, i.kind]));
  const productIds: { id: string; institution: string; min: number; terms: number[] }[] = [];
  for (const p of demoProducts) {
    const institutionId = institutionIds.get(p.institution);
    if (!institutionId) throw new Error(`demo product ${p.name} names unknown institution ${p.institution}`);
    const { minMonthlyIncomeYuan, ...eligibility } = p.eligibility;
    const extras = demoFeeRules(p.category, kindOf.get(p.institution)!);
    const row = await services.catalogue.create({
      institutionId,
      name: p.name,
      category: p.category,
      summary: p.summary,
      minAmountFen: yuan(p.minAmountYuan),
      maxAmountFen: yuan(p.maxAmountYuan),
      termOptions: p.termOptions,
      rateMin: p.rateMin,
      rateMax: p.rateMax,
      upfrontFeeRate: p.upfrontFeeRate,
      monthlyFeeRate: p.monthlyFeeRate,
      repaymentMethods: p.repaymentMethods,
      eligibility: { ...eligibility, minMonthlyIncomeFen: yuan(minMonthlyIncomeYuan), minCreditScore: extras.minCreditScore },
      guaranteeFeeRate: extras.guaranteeFeeRate,
      insuranceFeeRate: extras.insuranceFeeRate,
      earlyRepaymentFeeRate: extras.earlyRepaymentFeeRate,
      earlyRepaymentFreeAfterMonths: extras.earlyRepaymentFreeAfterMonths,
      requiredDocuments: p.requiredDocuments,
      tags: p.tags,
      decisionMinutes: p.decisionMinutes,
      disbursementHours: p.disbursementHours,
      status: 'listed',
    });
    productIds.push({ id: row.id, institution: institutionId, min: yuan(p.minAmountYuan), terms: p.termOptions });
  }

  const operatorIds: string[] = [];
  for (const o of demoOperators) {
    const staff = await services.accounts.createStaff({ kind: 'operator', username: o.username, password: DEMO_PASSWORD, displayName: o.displayName, role: o.role }, undefined, reuse);
    operatorIds.push(staff.id);
    logins.operator.push({ username: o.username, password: DEMO_PASSWORD, role: o.role });
  }
  await seedDemoContent(services, { kind: 'operator', id: operatorIds[0] ?? null });
  await seedDemoDesk(services, operatorIds, { kind: 'operator', id: operatorIds[0] ?? null });

  const consumers = [];
  for (const c of demoConsumers) {
    const account = await services.accounts.registerConsumer({ phone: c.phone, password: DEMO_PASSWORD, displayName: c.displayName }, undefined, reuse);
    // the demo borrowers agreed to the 用户协议 and 隐私政策 in force when they registered
    const agreed = await services.contracts.currentAgreements();
    await services.contracts.acceptAgreements(account.id, { userAgreement: agreed.user_agreement.version, privacyPolicy: agreed.privacy_policy.version }, { ip: '127.0.0.1' });
    consumers.push({ account });
    logins.consumer.push({ phone: c.phone, password: DEMO_PASSWORD });
  }

  // Verified identities and profiles, then a few applications in different states, so every
  // inbox and dashboard has something to show.
  const people = [
    { name: '张伟', birth: '19900307', region: '310104', profile: { city: '上海', monthlyIncomeFen: 1_500_000, employment: '上班族', housing: '按揭', monthlyDebtFen: 200_000, creditSelfAssessment: 'good' } },
    { name: '李娜', birth: '19880615', region: '110105', profile: { city: '北京', monthlyIncomeFen: 2_200_000, employment: '上班族', housing: '自有住房', monthlyDebtFen: 0, creditSelfAssessment: 'excellent' } },
    { name: '王芳', birth: '19950921', region: '510107', profile: { city: '成都', monthlyIncomeFen: 900_000, employment: '个体户', housing: '租房', monthlyDebtFen: 50_000, creditSelfAssessment: 'fair' } },
  ];
  for (const [i, c] of consumers.entries()) {
    const person = people[i % people.length]!;
    const first17 = `${person.region}${person.birth}${String(101 + i * 2).padStart(3, '0')}`;
    await services.identity.verify(c.account.id, { realName: person.name, idNumber: first17 + idCheckCharacter(first17) }, system);
    const summary = await services.identity.summary(c.account.id);
    await services.accounts.saveProfile(c.account.id, { ...person.profile, age: summary.age ?? null });
  }

  const eligibleFor = async (accountId: string) => {
    const profile = { ...eligibilityProfileOf(await services.accounts.profile(accountId)), age: (await services.identity.summary(accountId)).age };
    return productIds.filter((p) => checkEligibility(services.catalogue.getListed(p.id).eligibility, profile).eligible);
  };
  const steps: ('reviewing' | 'approved' | 'disbursed' | 'rejected')[][] = [[], ['reviewing'], ['approved'], ['approved', 'disbursed'], ['rejected']];
  const plans: { who: (typeof consumers)[number]; product: (typeof productIds)[number]; steps: (typeof steps)[number]; appId?: string }[] = [];
  const [first, second] = consumers;
  if (first && second) {
    const forSecond = await eligibleFor(second.account.id);
    forSecond.filter((_, i) => i % 4 === 0).slice(0, steps.length).forEach((product, i) => plans.push({ who: second, product, steps: steps[i]! }));
    const taken = new Set(plans.map((p) => p.product.id));
    const forFirst = (await eligibleFor(first.account.id)).find((p) => !taken.has(p.id));
    if (forFirst) plans.push({ who: first, product: forFirst, steps: ['reviewing', 'approved', 'disbursed'] });
  }
  for (const plan of plans) {
    const amountFen = plan.product.min * 2;
    const termMonths = plan.product.terms[Math.min(1, plan.product.terms.length - 1)]!;
    const { created } = await services.submission.apply(
      plan.who.account,
      {
        items: [{ productId: plan.product.id, amountFen, termMonths }],
        purpose: '消费',
        consents: [{ institutionId: plan.product.institution, fields: standardApplicationFields }],
      },
      { actor: system, device: `demo:${plan.who.account.id}`, visitor: `demo:${plan.who.account.id}`, door: 'web' },
    );
    const appId = created[0];
    if (!appId) continue;
    plan.appId = appId;
    for (const step of plan.steps) {
      // the borrower accepts and signs (with the SMS code the platform texts them) before any money moves
      if (step === 'disbursed') await acceptAsBorrower(services, plan.who.account.id, appId);
      const change =
        step === 'approved'
          ? // offered at what the product advertises for this amount and term (its lowest rate)
            { status: step, offeredAmountFen: amountFen, offeredTermMonths: termMonths, offeredApr: (Number(await services.applications.quotedAprPercent({ productId: plan.product.id, amountFen, termMonths })) / 100).toFixed(6) }
          : step === 'disbursed'
            ? { status: step, amountFen }
            : step === 'rejected'
              ? { status: step, reason: 'income' as const }
              : { status: step };
      await services.applications.changeStatusByInstitution(plan.product.institution, appId, change, system);
    }
  }

  // Something in the back offices' queues on first start: a complaint about a refusal (the
  // institution's 待回复投诉, the operators' 未结投诉) and a review waiting for moderation.
  const refused = plans.find((p) => p.steps.includes('rejected') && p.appId);
  if (refused) {
    const consumerActor: AuditActor = { kind: 'consumer', id: refused.who.account.id };
    await services.complaints.file(
      refused.who.account.id,
      { category: 'approval', subject: '拒绝原因不清楚', description: '申请被拒绝，只说收入不符合要求，想知道具体要求是多少，补充材料后能否再申请。', applicationId: refused.appId },
      consumerActor,
    );
  }
  const borrowed = plans.find((p) => p.steps.includes('disbursed') && p.who === first);
  if (borrowed) {
    const consumerActor: AuditActor = { kind: 'consumer', id: borrowed.who.account.id };
    await services.reviews.save(borrowed.who.account.id, borrowed.product.id, { rating: 4, body: '审批挺快，放款当天到账，综合年化和页面上写的一致。' }, consumerActor);
  }

  // 下款概率: a year of decided history for the demo products (odds_history, a known process) and
  // the first model fitted on it, so the odds and /odds show something true on first start
  await seedDemoDecisions(services);

  // 渠道: four channels, a month of their traffic and borrowers, last month's statements, a channel login, the BI rollup
  logins.channel = await seedDemoChannels(services, { eligibleFor, acceptAsBorrower: (consumerId, applicationId) => acceptAsBorrower(services, consumerId, applicationId), demoPasswordHash });

  const firstInstitution = demoInstitutions[0]!;
  const key = await services.institutions.createApiKey(institutionIds.get(firstInstitution.key)!, '演示密钥', system);
  logins.apiKey = { institution: firstInstitution.shortName, key: key.key };
  return logins;
}

/**
 * The fee and credit rules real products of each kind tend to carry, so the demo shows what
 * honest pricing has to account for: guarantee fees on non-bank business loans, insurance on
 * car loans, early-settlement fees at small-loan companies, credit-score floors at banks.
 */
export function demoFeeRules(category: string, kind: string) {
  return {
    guaranteeFeeRate: category === '经营贷' && kind !== 'bank' ? '0.001000' : '0',
    insuranceFeeRate: category === '车贷' ? '0.000800' : '0',
    earlyRepaymentFeeRate: kind === 'microloan' || kind === 'consumer_finance' ? '0.020000' : '0',
    earlyRepaymentFreeAfterMonths: kind === 'consumer_finance' ? 6 : 0,
    minCreditScore: kind === 'bank' ? 650 : kind === 'trust' ? 700 : kind === 'consumer_finance' ? 600 : undefined,
  };
}

export function describeLogins(logins: DemoLogins, baseUrl: string): string {
  const lines = [
    `  消费者   ${baseUrl}/login          手机号 ${logins.consumer[0]?.phone}  密码 ${DEMO_PASSWORD}`,
    `  机构     ${baseUrl}/partner/login  用户名 ${logins.institution[0]?.username}（${logins.institution[0]?.institution}）  密码 ${DEMO_PASSWORD}`,
    `  运营     ${baseUrl}/admin/login    用户名 ${logins.operator[0]?.username}  密码 ${DEMO_PASSWORD}`,
    ...logins.channel.map((l) => `  渠道     ${baseUrl}/channel/login  用户名 ${l.username}（${l.channel}）  密码 ${l.password}`),
    `  其他机构账号：${logins.institution.slice(1).map((l) => l.username).join(', ')}`,
    `  其他消费者：${logins.consumer.slice(1).map((l) => l.phone).join(', ')}；运营：${logins.operator.slice(1).map((l) => l.username).join(', ')}`,
  ];
  if (logins.apiKey) lines.push(`  合作方 API 密钥（${logins.apiKey.institution}，只显示这一次）：${logins.apiKey.key}`);
  return lines.join('\n');
}

export function describeDemoLoginsStatic(baseUrl: string): string {
  return describeLogins(
    {
      consumer: demoConsumers.map((c) => ({ phone: c.phone, password: DEMO_PASSWORD })),
      institution: demoInstitutions.flatMap((i) => i.staff.map((s) => ({ username: s.username, password: DEMO_PASSWORD, institution: i.shortName }))),
      operator: demoOperators.map((o) => ({ username: o.username, password: DEMO_PASSWORD, role: o.role })),
      channel: demoChannelLogins,
    },
    baseUrl,
  );
}

/** A demo borrower accepts an offer the way a person does: asks for the SMS code, reads it from the outbox, signs. */
async function acceptAsBorrower(services: Services, consumerId: string, applicationId: string): Promise<void> {
  await services.offers.requestSigningCode(consumerId, applicationId);
  const sms = await services.notifications.lastSmsTo(await services.accounts.phoneOf(consumerId));
  const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
  if (!code) throw new Error('the demo signing code was not sent');
  await services.offers.accept(consumerId, applicationId, code, { actor: { kind: 'consumer', id: consumerId }, device: `demo:${consumerId}`, visitor: `demo:${consumerId}`, door: 'web' });
}
