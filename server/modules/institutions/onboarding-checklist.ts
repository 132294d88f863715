import { shanghaiDate } from '../../lib/shanghai-date';
import type { ChecklistItem } from '../products';
import type { Onboarding } from './onboarding.service';
import { unifiedCodeProblem } from './unified-code';

/** Days before expiry from which a licence is flagged on review (the licences job warns at 30). */
const LICENCE_SOON_DAYS = 30;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * What a reviewer checks before approving an institution, in the order the page shows it: what
 * the platform can decide (the credit code's check digit, the licence still valid, a contact to
 * text the activation link to) and what only a person can (the scan matches what was typed).
 * Pure; the page shows it, with the licence, above the approval form.
 */
export function onboardingChecklist(o: Pick<Onboarding, 'unifiedCode' | 'licenceType' | 'licenceNumber' | 'licenceExpiresOn' | 'licenceFileType' | 'contacts' | 'adminUsername'>, now: Date): ChecklistItem[] {
  const today = shanghaiDate(now);
  const left = daysBetween(today, o.licenceExpiresOn);
  const codeProblem = unifiedCodeProblem(o.unifiedCode);
  const first = o.contacts[0];
  return [
    { key: 'unified_code', label: '统一社会信用代码校验通过', automatic: true, passed: codeProblem === undefined, detail: codeProblem ?? o.unifiedCode },
    {
      key: 'licence_valid',
      label: '牌照在有效期内',
      automatic: true,
      passed: left >= 0,
      detail: left < 0 ? `已于 ${o.licenceExpiresOn} 到期` : left <= LICENCE_SOON_DAYS ? `有效期至 ${o.licenceExpiresOn}，仅剩 ${left} 天，请确认续期安排` : `有效期至 ${o.licenceExpiresOn}（还有 ${left} 天）`,
    },
    {
      key: 'contact',
      label: '有可接收激活短信的联系人',
      automatic: true,
      passed: first !== undefined && first.phoneMasked.length > 0,
      detail: first ? `激活链接将发送给 ${first.nameMasked}（${first.phoneMasked}），管理员账号 ${o.adminUsername}` : '没有联系人',
    },
    {
      key: 'licence_scan',
      label: '牌照扫描件与填报信息一致',
      automatic: false,
      passed: null,
      detail: `请核对扫描件上的${o.licenceType}、编号 ${o.licenceNumber} 与有效期`,
    },
  ];
}
