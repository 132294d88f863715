import type { LeadListItem } from '../modules/applications';
import { creditSelfAssessment } from '../modules/catalogue';
import { csvYuan, type CsvRow } from './csv';

/**
 * The inbox as CSV rows (written by ./csv): consented fields only, identifiers masked; leads
 * whose consent was withdrawn keep only the application facts.
 */
export function leadsCsv(leads: LeadListItem[]): CsvRow[] {
  const rows = leads.map((l) => [
    l.id,
    l.createdAt.toISOString(),
    l.productName,
    csvYuan(l.amountFen),
    l.termMonths,
    l.purpose,
    l.statusLabel,
    l.consentWithdrawn ? '' : l.applicantNameMasked,
    l.consentWithdrawn ? '' : l.applicantCity,
    l.creditBand ? (creditSelfAssessment[l.creditBand as keyof typeof creditSelfAssessment]?.label ?? l.creditBand) : '',
    l.responseMinutes ?? '',
    l.stale ? '是' : '',
    l.consentWithdrawn ? '已撤回' : '有效',
  ]);
  return [['线索编号', '申请时间(UTC)', '产品', '金额(元)', '期限(月)', '用途', '状态', '申请人', '城市', '信用自评', '首次响应(分钟)', '超24小时未处理', '授权'], ...rows];
}
