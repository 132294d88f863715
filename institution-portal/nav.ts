import type { InstitutionPermission } from '../server/modules/accounts';

/** The institution portal menu, in groups; each entry shows only to roles holding its permission. */
export const partnerNav: { href: string; label: string; group: string; permission: InstitutionPermission }[] = [
  { href: '/partner/leads', label: '线索', group: '线索', permission: 'leads.work' },
  { href: '/partner/complaints', label: '投诉', group: '线索', permission: 'complaints.respond' },
  { href: '/partner/approval-reviews', label: '待复核', group: '线索', permission: 'leads.work' },
  { href: '/partner/loans', label: '贷款', group: '贷后', permission: 'loans.manage' },
  { href: '/partner/loans/monitoring', label: '贷后监控', group: '贷后', permission: 'loans.manage' },
  { href: '/partner/loans/schedule-changes', label: '展期与重新安排', group: '贷后', permission: 'loans.manage' },
  { href: '/partner/collections', label: '催收', group: '贷后', permission: 'loans.manage' },
  { href: '/partner/contracts', label: '合同', group: '贷后', permission: 'loans.manage' },
  { href: '/partner/contracts/template', label: '借款合同模板', group: '产品', permission: 'products.manage' },
  { href: '/partner/contracts/cooperation', label: '合作协议', group: '设置', permission: 'profile.manage' },
  { href: '/partner/products', label: '产品', group: '产品', permission: 'products.manage' },
  { href: '/partner/promotions', label: '推广', group: '产品', permission: 'promotions.request' },
  { href: '/partner/prescreen', label: '预筛规则', group: '产品', permission: 'prescreen.manage' },
  { href: '/partner/statistics', label: '统计', group: '统计', permission: 'statistics.view' },
  { href: '/partner/statements', label: '结算单', group: '结算', permission: 'settlement.view' },
  { href: '/partner/reconciliations', label: '对账', group: '结算', permission: 'settlement.view' },
  { href: '/partner/staff', label: '员工', group: '设置', permission: 'staff.manage' },
  { href: '/partner/api-keys', label: 'API 密钥', group: '设置', permission: 'integration.manage' },
  { href: '/partner/webhook', label: '回调', group: '设置', permission: 'integration.manage' },
  { href: '/partner/workflow', label: '审批流程', group: '设置', permission: 'workflow.manage' },
  { href: '/partner/security', label: '账号安全', group: '设置', permission: 'portal.view' },
];
