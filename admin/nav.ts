import type { OperatorPermission } from '../server/modules/accounts/permissions';

/** The operator back office menu; each entry shows only to roles holding its permission. */
export const adminNav: { href: string; label: string; permission: OperatorPermission }[] = [
  { href: '/admin', label: '概览', permission: 'dashboard.view' },
  { href: '/admin/applications', label: '申请', permission: 'applications.view' },
  { href: '/admin/complaints', label: '投诉', permission: 'complaints.handle' },
  { href: '/admin/reviews', label: '评价审核', permission: 'reviews.moderate' },
  { href: '/admin/products/review', label: '产品审核', permission: 'products.review' },
  { href: '/admin/products', label: '产品', permission: 'products.review' },
  { href: '/admin/promotions', label: '推广', permission: 'promotions.review' },
  { href: '/admin/ranking', label: '排序', permission: 'ranking.manage' },
  { href: '/admin/outbox', label: '外发箱', permission: 'outbox.view' },
  { href: '/admin/risk', label: '风险', permission: 'risk.view' },
  { href: '/admin/loans/overdue', label: '逾期分析', permission: 'loans.view' },
  { href: '/admin/institutions', label: '机构', permission: 'institutions.review' },
  { href: '/admin/onboarding', label: '入驻审核', permission: 'institutions.review' },
  { href: '/admin/users', label: '用户', permission: 'users.view' },
  { href: '/admin/staff', label: '运营人员', permission: 'staff.manage' },
  { href: '/admin/erasures', label: '删除审批', permission: 'data.delete' },
  { href: '/admin/agreements', label: '合作协议', permission: 'agreements.manage' },
  { href: '/admin/finance', label: '财务结算', permission: 'settlement.view' },
  { href: '/admin/settings', label: '系统参数', permission: 'settings.manage' },
  { href: '/admin/content/articles', label: '内容', permission: 'content.manage' },
  { href: '/admin/content/campaigns', label: '活动', permission: 'content.manage' },
  { href: '/admin/jobs', label: '定时任务', permission: 'jobs.run' },
  { href: '/admin/audit', label: '审计日志', permission: 'audit.view' },
  { href: '/admin/security', label: '账号安全', permission: 'dashboard.view' },
];
