import type { InstitutionPermission } from '../server/modules/accounts/permissions';

/** The institution portal menu; each entry shows only to roles holding its permission. */
export const partnerNav: { href: string; label: string; permission: InstitutionPermission }[] = [
  { href: '/partner/leads', label: '线索', permission: 'leads.work' },
  { href: '/partner/loans', label: '贷款', permission: 'loans.manage' },
  { href: '/partner/loans/monitoring', label: '贷后监控', permission: 'loans.manage' },
  { href: '/partner/collections', label: '催收', permission: 'loans.manage' },
  { href: '/partner/complaints', label: '投诉', permission: 'complaints.respond' },
  { href: '/partner/statistics', label: '统计', permission: 'statistics.view' },
  { href: '/partner/statements', label: '结算单', permission: 'settlement.view' },
  { href: '/partner/reconciliations', label: '对账', permission: 'settlement.view' },
  { href: '/partner/products', label: '产品', permission: 'products.manage' },
  { href: '/partner/promotions', label: '推广', permission: 'promotions.request' },
  { href: '/partner/api-keys', label: 'API 密钥', permission: 'integration.manage' },
  { href: '/partner/webhook', label: '回调', permission: 'integration.manage' },
  { href: '/partner/prescreen', label: '预筛规则', permission: 'prescreen.manage' },
  { href: '/partner/staff', label: '员工', permission: 'staff.manage' },
  { href: '/partner/security', label: '账号安全', permission: 'portal.view' },
];
