import type { InstitutionPermission } from '../server/modules/accounts/permissions';

/** The institution portal menu; each entry shows only to roles holding its permission. */
export const partnerNav: { href: string; label: string; permission: InstitutionPermission }[] = [
  { href: '/partner/leads', label: '线索', permission: 'leads.work' },
  { href: '/partner/products', label: '产品', permission: 'products.manage' },
  { href: '/partner/promotions', label: '推广', permission: 'promotions.request' },
  { href: '/partner/api-keys', label: 'API 密钥', permission: 'integration.manage' },
  { href: '/partner/webhook', label: '回调', permission: 'integration.manage' },
  { href: '/partner/prescreen', label: '预筛规则', permission: 'prescreen.manage' },
];
