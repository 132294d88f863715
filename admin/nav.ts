import type { OperatorPermission } from '../server/modules/accounts/permissions';

/** The operator back office menu; each entry shows only to roles holding its permission. */
export const adminNav: { href: string; label: string; permission: OperatorPermission }[] = [
  { href: '/admin', label: '概览', permission: 'dashboard.view' },
  { href: '/admin/applications', label: '申请', permission: 'applications.view' },
  { href: '/admin/outbox', label: '外发箱', permission: 'outbox.view' },
  { href: '/admin/risk', label: '风险', permission: 'risk.view' },
  { href: '/admin/agreements', label: '合作协议', permission: 'agreements.manage' },
  { href: '/admin/settings', label: '系统参数', permission: 'settings.manage' },
];
