import type { OperatorPermission } from '../server/modules/accounts/permissions';

/** The operator back office menu; each entry shows only to roles holding its permission. */
export const adminNav: { href: string; label: string; permission: OperatorPermission }[] = [
  { href: '/admin', label: '概览', permission: 'dashboard.view' },
  { href: '/admin/applications', label: '申请', permission: 'applications.view' },
  { href: '/admin/products/review', label: '产品审核', permission: 'products.review' },
  { href: '/admin/products', label: '产品', permission: 'products.review' },
  { href: '/admin/promotions', label: '推广', permission: 'promotions.review' },
  { href: '/admin/ranking', label: '排序', permission: 'ranking.manage' },
  { href: '/admin/outbox', label: '外发箱', permission: 'outbox.view' },
  { href: '/admin/risk', label: '风险', permission: 'risk.view' },
  { href: '/admin/settings', label: '系统参数', permission: 'settings.manage' },
];
