import { institutionPermissions, operatorPermissions, permissionTable, type InstitutionPermission, type OperatorPermission } from './permissions';

/**
 * The permission catalogue as the role editor shows it: every permission of a kind's table in
 * permissions.ts, grouped by its area (the part before the dot) with Chinese labels. The tables
 * are the catalogue, so a permission added there appears here with no other step; the label
 * tables below are exhaustive, so the type check asks for its Chinese name.
 */

export type RoleKind = 'operator' | 'institution';

const areaLabels: Record<string, string> = {
  dashboard: '看板',
  portal: '门户',
  applications: '申请',
  leads: '线索',
  institutions: '机构',
  agreements: '合作协议',
  products: '产品',
  ranking: '排序',
  promotions: '推广',
  content: '内容',
  complaints: '投诉',
  reviews: '评价',
  users: '用户',
  staff: '人员与角色',
  roles: '人员与角色',
  settings: '系统',
  risk: '风控',
  settlement: '结算',
  audit: '审计',
  outbox: '消息',
  data: '数据权利',
  jobs: '系统',
  loans: '贷款',
  search: '搜索',
  channels: '渠道',
  statistics: '统计',
  integration: '对接',
  prescreen: '预筛',
  profile: '机构资料',
  desk: '在线客服',
  feedback: '意见反馈',
  performance: '人员绩效',
  workflow: '审批流程',
};

const operatorLabels: Record<OperatorPermission, string> = {
  'dashboard.view': '查看经营看板',
  'applications.view': '查看申请',
  'institutions.review': '审核机构入驻',
  'agreements.manage': '管理合作协议',
  'products.review': '审核与上下架产品',
  'ranking.manage': '管理排序规则',
  'promotions.review': '审核推广',
  'content.manage': '管理内容与活动',
  'complaints.handle': '处理投诉',
  'reviews.moderate': '审核评价',
  'users.view': '查看用户',
  'users.freeze': '冻结与解冻账号',
  'staff.manage': '管理运营人员',
  'roles.manage': '定义角色与权限',
  'settings.manage': '修改系统参数',
  'risk.view': '查看风控',
  'settlement.view': '查看结算与对账',
  'settlement.manage': '月结、出单、登记付款',
  'audit.view': '查看审计日志',
  'outbox.view': '查看消息外发箱',
  'data.delete': '删除个人数据',
  'jobs.run': '运行定时任务',
  'loans.view': '查看贷款与逾期',
  'search.manage': '管理搜索词典',
  'channels.manage': '管理渠道',
  'institutions.edit': '修改机构信息',
  'users.edit': '修改用户信息',
  'desk.work': '接待在线咨询',
  'desk.manage': '管理技能组、排班与快捷回复',
  'feedback.handle': '处理意见反馈',
  'performance.view': '查看人员绩效',
};

const institutionLabels: Record<InstitutionPermission, string> = {
  'portal.view': '进入机构门户',
  'leads.work': '处理线索',
  'products.manage': '管理产品',
  'promotions.request': '申请推广',
  'statistics.view': '查看统计',
  'settlement.view': '查看结算单与对账',
  'settlement.manage': '异议、付款、上传对账文件',
  'staff.manage': '管理员工与角色',
  'integration.manage': '管理 API 密钥与回调',
  'prescreen.manage': '管理预筛规则',
  'complaints.respond': '回复投诉',
  'profile.manage': '管理机构资料',
  'loans.manage': '管理贷款与催收',
  'leads.confirm': '复核大额审批',
  'workflow.manage': '设置复核金额',
};

/** The Chinese name of a permission of a kind (its code for one the kind does not have). */
export function permissionLabel(kind: RoleKind, permission: string): string {
  const labels: Record<string, string | undefined> = kind === 'operator' ? operatorLabels : institutionLabels;
  return labels[permission] ?? permission;
}

export const areaOf = (permission: string): string => permission.split('.')[0]!;
export const areaLabel = (area: string): string => areaLabels[area] ?? area;

export interface CatalogueArea {
  area: string;
  label: string;
  permissions: { key: string; label: string }[];
}

/** Every permission of the kind, grouped by area in the order the table first names each area. */
export function permissionCatalogue(kind: RoleKind): CatalogueArea[] {
  const areas = new Map<string, CatalogueArea>();
  for (const key of Object.keys(permissionTable(kind))) {
    const label = areaLabel(areaOf(key));
    const area = areas.get(label) ?? { area: areaOf(key), label, permissions: [] };
    area.permissions.push({ key, label: permissionLabel(kind, key) });
    areas.set(label, area);
  }
  return [...areas.values()];
}

/** Whether a name is a permission of the kind's catalogue. */
export const inCatalogue = (kind: RoleKind, permission: string): boolean => permission in permissionTable(kind);

/** Whether a name is a permission of the other kind only (an institution asking for an operator's, say). */
export const otherKindOnly = (kind: RoleKind, permission: string): boolean =>
  !inCatalogue(kind, permission) && permission in (kind === 'operator' ? institutionPermissions : operatorPermissions);
