import type { Services } from '../server/container';
import type { AuditActor } from '../server/modules/audit';
import { DEMO_PASSWORD, demoConsumers, demoInstitutions, demoOperators, demoProducts } from './demo-data';

export interface DemoLogins {
  consumer: { phone: string; password: string }[];
  institution: { username: string; password: string; institution: string }[];
  operator: { username: string; password: string; role: string }[];
  apiKey?: { institution: string; key: string };
}

const system: AuditActor = { kind: 'system', id: 'seed-demo' };
const yuan = (v: number) => Math.round(v * 100);

/**
 * Fills an empty database with realistic demo data: 8 institutions, 40 listed products,
 * agreements, staff and consumer accounts, and a few applications in different states.
 * Does nothing when institutions already exist (so it runs on first start only).
 */
export async function seedDemo(services: Services): Promise<DemoLogins | null> {
  if ((await services.institutions.count()) > 0) return null;
  const logins: DemoLogins = { consumer: [], institution: [], operator: [] };
  const institutionIds = new Map<string, string>();

  for (const demo of demoInstitutions) {
    const institution = await services.institutions.create({
      name: demo.name,
      shortName: demo.shortName,
      kind: demo.kind,
      description: demo.description,
    });
    institutionIds.set(demo.key, institution.id);
    await services.settlement.createAgreement({
      institutionId: institution.id,
      cpaFen: yuan(demo.agreement.cpaYuan),
      cpsRate: demo.agreement.cpsRate,
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
      });
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

  for (const o of demoOperators) {
    await services.accounts.createStaff({ kind: 'operator', username: o.username, password: DEMO_PASSWORD, displayName: o.displayName, role: o.role });
    logins.operator.push({ username: o.username, password: DEMO_PASSWORD, role: o.role });
  }

  const consumers = [];
  for (const c of demoConsumers) {
    consumers.push({ account: await services.accounts.registerConsumer({ phone: c.phone, password: DEMO_PASSWORD, displayName: c.displayName }), city: c.city, name: c.displayName });
    logins.consumer.push({ phone: c.phone, password: DEMO_PASSWORD });
  }

  // A few applications in different states, so every inbox and dashboard has something to show.
  const [first, second] = consumers;
  if (first && second) {
    const names = ['张伟', '李娜'];
    const plans: { who: typeof first; product: (typeof productIds)[number]; steps: ('reviewing' | 'approved' | 'disbursed' | 'rejected')[] }[] = [
      { who: second, product: productIds[0]!, steps: [] },
      { who: second, product: productIds[6]!, steps: ['reviewing'] },
      { who: second, product: productIds[11]!, steps: ['approved'] },
      { who: second, product: productIds[16]!, steps: ['approved', 'disbursed'] },
      { who: second, product: productIds[21]!, steps: ['rejected'] },
      { who: first, product: productIds[2]!, steps: ['reviewing', 'approved', 'disbursed'] },
    ];
    for (const [i, plan] of plans.entries()) {
      const app = await services.applications.create(
        plan.who.account,
        {
          productId: plan.product.id,
          amountFen: plan.product.min * 2,
          termMonths: plan.product.terms[Math.min(1, plan.product.terms.length - 1)]!,
          purpose: '消费',
          applicantName: names[i % 2]!,
          city: plan.who.city,
        },
        system,
      );
      for (const step of plan.steps) {
        const change =
          step === 'approved'
            ? { status: step, offeredAmountFen: app.amountFen, offeredTermMonths: app.termMonths, offeredApr: '0.150000' }
            : step === 'disbursed'
              ? { status: step, amountFen: app.amountFen }
              : step === 'rejected'
                ? { status: step, reason: 'income' as const }
                : { status: step };
        await services.applications.changeStatusByInstitution(plan.product.institution, app.id, change, system);
      }
    }
  }

  const firstInstitution = demoInstitutions[0]!;
  const key = await services.institutions.createApiKey(institutionIds.get(firstInstitution.key)!, '演示密钥');
  logins.apiKey = { institution: firstInstitution.shortName, key: key.key };
  return logins;
}

/**
 * The fee and credit rules real products of each kind tend to carry, so the demo shows what
 * honest pricing has to account for: guarantee fees on non-bank business loans, insurance on
 * car loans, early-settlement fees at small-loan companies, credit-score floors at banks.
 */
function demoFeeRules(category: string, kind: string) {
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
    },
    baseUrl,
  );
}
