import type { OperatorPermission } from '../server/modules/accounts';

/** The operator back office menu, in groups; each entry shows only to roles holding its permission. */
export const adminNav: { href: string; label: string; group: string; permission: OperatorPermission }[] = [
  { href: '/admin', label: '概览', group: '概览', permission: 'dashboard.view' },
  { href: '/admin/applications', label: '申请', group: '业务', permission: 'applications.view' },
  { href: '/admin/complaints', label: '投诉', group: '业务', permission: 'complaints.handle' },
  { href: '/admin/reviews', label: '评价审核', group: '业务', permission: 'reviews.moderate' },
  { href: '/admin/loans/overdue', label: '逾期分析', group: '业务', permission: 'loans.view' },
  { href: '/admin/risk', label: '风险提示', group: '业务', permission: 'risk.view' },
  { href: '/admin/institutions', label: '机构', group: '机构与产品', permission: 'institutions.review' },
  { href: '/admin/onboarding', label: '入驻审核', group: '机构与产品', permission: 'institutions.review' },
  { href: '/admin/products/review', label: '产品审核', group: '机构与产品', permission: 'products.review' },
  { href: '/admin/products', label: '全部产品', group: '机构与产品', permission: 'products.review' },
  { href: '/admin/promotions', label: '推广', group: '机构与产品', permission: 'promotions.review' },
  { href: '/admin/ranking', label: '排序规则', group: '机构与产品', permission: 'ranking.manage' },
  { href: '/admin/agreements', label: '合作协议', group: '财务', permission: 'agreements.manage' },
  { href: '/admin/finance', label: '财务结算', group: '财务', permission: 'settlement.view' },
  { href: '/admin/content/articles', label: '资讯与攻略', group: '内容', permission: 'content.manage' },
  { href: '/admin/content/campaigns', label: '活动', group: '内容', permission: 'content.manage' },
  { href: '/admin/users', label: '用户', group: '系统', permission: 'users.view' },
  { href: '/admin/staff', label: '运营人员', group: '系统', permission: 'staff.manage' },
  { href: '/admin/erasures', label: '删除审批', group: '系统', permission: 'data.delete' },
  { href: '/admin/settings', label: '系统参数', group: '系统', permission: 'settings.manage' },
  { href: '/admin/jobs', label: '定时任务', group: '系统', permission: 'jobs.run' },
  { href: '/admin/audit', label: '审计日志', group: '系统', permission: 'audit.view' },
  { href: '/admin/outbox', label: '外发箱', group: '系统', permission: 'outbox.view' },
  { href: '/admin/security', label: '账号安全', group: '我的', permission: 'dashboard.view' },
];
