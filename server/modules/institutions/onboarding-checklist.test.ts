import { describe, expect, it } from 'vitest';
import { onboardingChecklist } from './onboarding-checklist';
import { unifiedCodeCheckChar } from './unified-code';

const code17 = '91110000MA01ABCD1';
const onboarding = {
  unifiedCode: code17 + unifiedCodeCheckChar(code17),
  licenceType: '金融许可证',
  licenceNumber: 'B0001H111000001',
  licenceExpiresOn: '2027-06-30',
  licenceFileType: 'image/png',
  contacts: [{ nameEnc: 'sealed', nameMasked: '张**', title: '总经理', phoneEnc: 'sealed', phoneMasked: '138****0000', emailEnc: 'sealed', emailMasked: 'z***@example.com' }],
  adminUsername: 'newbank.admin',
};
const now = new Date('2026-03-01T04:00:00Z');

describe('onboardingChecklist', () => {
  it('passes what the platform can check and leaves the scan to the reviewer', () => {
    const list = onboardingChecklist(onboarding, now);
    expect(list.map((i) => [i.key, i.passed])).toEqual([
      ['unified_code', true],
      ['licence_valid', true],
      ['contact', true],
      ['licence_scan', null],
    ]);
    expect(list.find((i) => i.key === 'licence_valid')!.detail).toBe('有效期至 2027-06-30（还有 486 天）');
    expect(list.find((i) => i.key === 'contact')!.detail).toContain('张**（138****0000）');
  });

  it('fails an expired licence and a bad check digit, and warns of a licence about to lapse', () => {
    expect(onboardingChecklist({ ...onboarding, licenceExpiresOn: '2026-02-28' }, now).find((i) => i.key === 'licence_valid')).toMatchObject({ passed: false, detail: '已于 2026-02-28 到期' });
    expect(onboardingChecklist({ ...onboarding, licenceExpiresOn: '2026-03-11' }, now).find((i) => i.key === 'licence_valid')).toMatchObject({ passed: true, detail: expect.stringContaining('仅剩 10 天') });
    expect(onboardingChecklist({ ...onboarding, unifiedCode: `${code17}Z` }, now).find((i) => i.key === 'unified_code')!.passed).toBe(false);
    expect(onboardingChecklist({ ...onboarding, contacts: [] }, now).find((i) => i.key === 'contact')!.passed).toBe(false);
  });
});
