import type { Container } from '../../server/container';

export const PASSWORD = 'Lantern-58-sky';

export interface Fixtures {
  institutionA: { id: string; staff: string; productId: string };
  institutionB: { id: string; staff: string; productId: string };
  operator: string;
  /** CPL 20 yuan; CPA 100 yuan; CPS 1.5%; no tiers or caps; 30-day reversal window */
  agreement: { cplFen: number; cpaFen: number; cpsRate: string };
}

/** Two institutions with one listed product, one staff login and one agreement each, and an operator. */
export async function seedFixtures(container: Container): Promise<Fixtures> {
  const { institutions, catalogue, accounts, settlement } = container.services;
  const agreement = { cplFen: 2_000, cpaFen: 10_000, cpsRate: '0.015' };
  const make = async (key: 'a' | 'b', name: string) => {
    const inst = await institutions.create({ name: `${name}股份有限公司`, shortName: name, kind: 'bank' });
    await settlement.createAgreement({ institutionId: inst.id, ...agreement, effectiveFrom: new Date('2026-01-01T00:00:00Z') });
    const staff = `${key}.staff`;
    await accounts.createStaff({ kind: 'institution', username: staff, password: PASSWORD, displayName: `${name}员工`, role: 'admin', institutionId: inst.id });
    const product = await catalogue.create({
      institutionId: inst.id,
      name: `${name}信用贷`,
      category: '信用贷',
      summary: '测试产品',
      minAmountFen: 100_000,
      maxAmountFen: 20_000_000,
      termOptions: [6, 12, 24],
      rateMin: '0.0720',
      rateMax: '0.1800',
      repaymentMethods: ['equal_installment'],
      eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true },
      requiredDocuments: ['身份证'],
      tags: ['测试'],
      decisionMinutes: 10,
      disbursementHours: 2,
      status: 'listed',
    });
    return { id: inst.id, staff, productId: product.id };
  };
  const institutionA = await make('a', '甲银行');
  const institutionB = await make('b', '乙银行');
  await accounts.createStaff({ kind: 'operator', username: 'op.admin', password: PASSWORD, displayName: '运营', role: 'super_admin' });
  return { institutionA, institutionB, operator: 'op.admin', agreement };
}

/** A third institution, 丙消费金融 (staff `c.staff`), with 丙随心贷 open to ages 18–60 and 丙稳享贷 only to ages 56–60. */
export async function addInstitutionC(t: { container: Container }) {
  const { institutions, catalogue, accounts, settlement } = t.container.services;
  const inst = await institutions.create({ name: '丙消费金融有限公司', shortName: '丙消费金融', kind: 'consumer_finance' });
  await settlement.createAgreement({ institutionId: inst.id, cplFen: 1_000, cpaFen: 5_000, cpsRate: '0.01', effectiveFrom: new Date('2026-01-01T00:00:00Z') });
  await accounts.createStaff({ kind: 'institution', username: 'c.staff', password: PASSWORD, displayName: '丙员工', role: 'admin', institutionId: inst.id });
  const base = {
    institutionId: inst.id,
    category: '消费贷',
    summary: '测试',
    minAmountFen: 100_000,
    maxAmountFen: 10_000_000,
    termOptions: [12, 24],
    rateMin: '0.1000',
    rateMax: '0.1800',
    repaymentMethods: ['equal_installment'],
    requiredDocuments: ['身份证'],
    tags: [],
    decisionMinutes: 30,
    disbursementHours: 24,
    status: 'listed' as const,
  };
  const open = await catalogue.create({ ...base, name: '丙随心贷', eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true } });
  const senior = await catalogue.create({ ...base, name: '丙稳享贷', eligibility: { minAge: 56, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true } });
  return { id: inst.id, name: '丙消费金融', staff: 'c.staff', productId: open.id, seniorProductId: senior.id };
}
