import type { outboxMessages } from './notifications.schema';
import type { CancelReason } from './notifications.service';

/**
 * What the outbox's codes mean, in the words operators use. Senders may only pass a template
 * listed here (`sendSms` takes an `SmsTemplate`), so a new kind of message needs its label first;
 * server/lib/labels.test.ts checks these tables against every code the platform produces.
 */
export const smsTemplateLabels = {
  'otp.register': '注册验证码',
  'otp.reset_password': '重置密码验证码',
  'otp.login': '登录验证码',
  'otp.sign': '签署合同验证码',
  onboarding_approved: '入驻通过（管理员激活链接）',
  'application.reviewing': '申请进入审核',
  'application.approved': '申请已批准',
  'application.rejected': '申请未通过',
  'application.disbursed': '已放款',
  'application.withdrawn': '申请已撤回',
  'application.expired': '申请已过期',
  'application.accepted': '报价已接受',
  'application.declined': '报价已谢绝',
  'loan.reminder_7': '还款提醒（到期前 7 天）',
  'loan.reminder_3': '还款提醒（到期前 3 天）',
  'loan.reminder_1': '还款提醒（到期前 1 天）',
  'loan.overdue': '逾期提醒',
  'bi.alert': 'BI 经营预警（运营人员）',
} as const satisfies Record<string, string>;

export type SmsTemplate = keyof typeof smsTemplateLabels;

type OutboxRowShape = typeof outboxMessages.$inferSelect;

export const outboxChannelLabels: Record<OutboxRowShape['channel'], string> = { sms: '短信', email: '邮件' };

export const outboxStatusLabels: Record<OutboxRowShape['status'], string> = {
  queued: '待发送',
  held: '暂缓（免打扰时段）',
  sent: '已发送',
  failed: '发送失败',
  cancelled: '已取消',
};

/** Why a held message was not sent after all (shown after 已取消：). */
export const cancelReasonLabels: Record<CancelReason, string> = {
  sms_off: '用户已关闭短信通知',
  account_closed: '账号已注销',
  expired: '静默时段结束后 24 小时内未能发出，已作废',
};

/** The providers a message can go through (`MessageProvider.name`). */
export const messageProviderLabels = {
  outbox: '仅记录（未接短信网关）',
  'http-gateway': '短信网关',
} as const satisfies Record<string, string>;

export type MessageProviderName = keyof typeof messageProviderLabels;

/** Labels of stored codes; a code from an older release that has no label any more shows as it is. */
export const smsTemplateLabel = (template: string): string => (smsTemplateLabels as Record<string, string>)[template] ?? template;
export const messageProviderLabel = (name: string): string => (messageProviderLabels as Record<string, string>)[name] ?? name;
