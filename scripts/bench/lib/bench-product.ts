/** A listed product open to every adult (¥1,000–¥200,000, 6–24 months, 7.2%–18%), for the benches that apply. */
export function openBenchProduct(institutionId: string, name: string, category = '信用贷') {
  return {
    institutionId,
    name,
    category,
    summary: '压测产品',
    minAmountFen: 100_000,
    maxAmountFen: 20_000_000,
    termOptions: [6, 12, 24],
    rateMin: '0.0720',
    rateMax: '0.1800',
    repaymentMethods: ['equal_installment' as const],
    eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: true },
    requiredDocuments: ['身份证'],
    tags: ['压测'],
    decisionMinutes: 10,
    disbursementHours: 2,
    status: 'listed' as const,
  };
}
