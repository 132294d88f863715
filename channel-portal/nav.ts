import type { ChannelPermission } from '../server/modules/accounts';

/** The channel portal menu; each entry shows only to roles holding its permission. */
export const channelNav: { href: string; label: string; group: string; permission: ChannelPermission }[] = [
  { href: '/channel', label: '转化数据', group: '数据', permission: 'portal.view' },
  { href: '/channel/links', label: '推广链接', group: '推广', permission: 'portal.view' },
  { href: '/channel/postbacks', label: '转化回传', group: '推广', permission: 'portal.view' },
  { href: '/channel/statements', label: '结算单', group: '结算', permission: 'portal.view' },
  { href: '/channel/security', label: '账号安全', group: '设置', permission: 'portal.view' },
];
