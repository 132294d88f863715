import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import { idCheckCharacter } from '../../server/modules/identity';
import type { ProductParams } from '../../server/modules/products';
import type { Stack } from './stack';

export const PASSWORD = 'Lantern-58-sky';
export const OPERATOR = 'so.operator';
/** every field a borrower may release to an institution, consented in full */
export const ALL_FIELDS = ['realName', 'phone', 'idNumber', 'age', 'city', 'employment', 'monthlyIncome', 'housing', 'monthlyDebt', 'creditSelfAssessment', 'loanRequest', 'documents'];

export interface SeededProduct {
  id: string;
  institutionId: string;
}
export interface SeededBorrower {
  id: string;
  phone: string;
}
export interface Seeded {
  products: SeededProduct[];
  borrowers: SeededBorrower[];
  /** a product submitted for review, not listed: the operator approves it mid-run */
  pending: { productId: string; versionId: string; name: string };
}

const baseParams = (name: string): ProductParams => ({
  name,
  category: '信用贷',
  summary: '扩容演练产品',
  minAmountFen: 100_000,
  maxAmountFen: 20_000_000,
  termOptions: [6, 12, 24],
  rateMin: '0.0720',
  rateMax: '0.1800',
  upfrontFeeRate: '0',
  upfrontFeeMode: 'deducted',
  monthlyFeeRate: '0',
  guaranteeFeeRate: '0',
  insuranceFeeRate: '0',
  earlyRepaymentFeeRate: '0',
  earlyRepaymentFreeAfterMonths: 0,
  repaymentMethods: ['equal_installment'],
  eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true },
  requiredDocuments: ['身份证'],
  decisionMinutes: 10,
  disbursementHours: 2,
  tags: ['扩容'],
});

/** A checksum-valid resident ID number of an adult, distinct for each `n`. */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1980, 0, 1) + (n % 5000) * 86_400_000);
  const first17 = `110101${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => make(i + j)))));
  return out;
}

/**
 * The data of a run, written through the services (not the HTTP API: what is measured starts
 * with the borrowers' logins): `institutions` institutions with an agreement (CPL 20 yuan) and
 * three listed products each, one product submitted for review, an operator, and `borrowers`
 * borrowers who agreed to the terms and are real-name verified. Through pgbouncer, with the
 * PII key the instances use.
 */
export async function seed(stack: Stack, counts: { institutions: number; borrowers: number }): Promise<Seeded> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: `${stack.dir}/data`,
    DATABASE_URL: stack.pooledUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: stack.redisPrefix,
    PII_KEY: stack.piiKey,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'never',
  });
  const container: Container = await createContainer(config);
  try {
    const { institutions, settlement, catalogue, accounts, contracts, identity, products } = container.services;
    const seeded: Seeded = { products: [], borrowers: [], pending: { productId: '', versionId: '', name: '' } };
    const letters = '甲乙丙丁戊己庚辛壬癸';
    for (let i = 0; i < counts.institutions; i++) {
      const short = `${letters[i % letters.length]}${i >= letters.length ? i : ''}扩容银行`;
      const inst = await institutions.create({ name: `${short}股份有限公司`, shortName: short, kind: 'bank' });
      await settlement.createAgreement({ institutionId: inst.id, cplFen: 2_000, cpaFen: 10_000, cpsRate: '0.015', effectiveFrom: new Date('2026-01-01T00:00:00Z') });
      for (const suffix of ['信用贷', '消费贷', '装修贷']) {
        const product = await catalogue.create({ ...baseParams(`${short}${suffix}`), institutionId: inst.id, status: 'listed' });
        seeded.products.push({ id: product.id, institutionId: inst.id });
      }
      if (i === 0) {
        const system = { kind: 'system' as const, id: null };
        const name = `星河扩容同步贷${randomBytes(2).toString('hex').toUpperCase()}`;
        const draft = await products.createDraft(inst.id, baseParams(name), system);
        const version = await products.submit(inst.id, draft.product.id, system);
        seeded.pending = { productId: draft.product.id, versionId: version.id, name };
      }
    }
    await accounts.createStaff({ kind: 'operator', username: OPERATOR, password: PASSWORD, displayName: '扩容运营', role: 'super_admin' });
    const run = Math.floor(Math.random() * 10_000);
    seeded.borrowers = await inBatches(counts.borrowers, 4, async (n) => {
      const phone = `136${String(run).padStart(4, '0')}${String(n).padStart(4, '0')}`;
      const account = await accounts.registerConsumer({ phone, password: PASSWORD });
      await contracts.acceptAgreements(account.id, { userAgreement: 1, privacyPolicy: 1 }, { ip: '127.0.0.1' });
      await identity.verify(account.id, { realName: '王小明', idNumber: idNumber(run * 1000 + n) }, { kind: 'consumer', id: account.id, ip: '127.0.0.1' });
      return { id: account.id, phone };
    });
    return seeded;
  } finally {
    await container.close();
  }
}
