import { z } from 'zod';
import type { Database } from '../../db/client';
import { ValidationError } from '../../lib/errors';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { systemSettings } from './settings.schema';
import type { Clock } from '../../lib/clock';

const hours = z.number().int().min(1).max(24 * 90);
const rate = z.number().min(0).max(0.36);

/**
 * Every system parameter: its label, group, schema and default. A value outside its schema
 * is refused; the legal ceilings (36% APR) are also enforced by the database.
 */
export const settingDefinitions = {
  'complaints.firstResponseHours': { group: '投诉', label: '首次答复时限（小时）', schema: hours, default: 24 },
  'complaints.resolutionHours': { group: '投诉', label: '办结时限（小时）', schema: hours, default: 24 * 7 },
  'rates.listingCap': { group: '利率', label: '可上架的综合年化利率上限', schema: rate, default: 0.36 },
  'rates.offerCap': { group: '利率', label: '批准报价的综合年化利率上限（超过即拒绝；24% 以上向借款人标示）', schema: rate, default: 0.36 },
  'licence.warningDays': { group: '机构', label: '牌照到期前提醒天数', schema: z.number().int().min(1).max(365), default: 30 },
  'risk.maxAccountsPerDevice': { group: '风控', label: '同一设备最多账号数', schema: z.number().int().min(1).max(100), default: 3 },
  'risk.maxApplicationsPerDay': { group: '风控', label: '每人每日最多申请数', schema: z.number().int().min(1).max(1000), default: 10 },
  'channels.burstPerTenMinutes': { group: '渠道', label: '同一渠道与子渠道 10 分钟内最多注册数（超过即视为无效流量，不计渠道费用）', schema: z.number().int().min(1).max(100000), default: 20 },
  'overdue.reminderDay': { group: '贷后', label: '逾期第几天提醒用户', schema: z.number().int().min(1).max(365), default: 1 },
  'overdue.callTaskDay': { group: '贷后', label: '逾期第几天生成机构电话任务', schema: z.number().int().min(1).max(365), default: 3 },
  'overdue.collectionDay': { group: '贷后', label: '逾期第几天转入催收', schema: z.number().int().min(1).max(365), default: 7 },
  'overdue.escalationDay': { group: '贷后', label: '逾期第几天升级处理', schema: z.number().int().min(1).max(3650), default: 30 },
  'collections.dailyContactLimit': { group: '贷后', label: '每笔贷款每日最多联系次数', schema: z.number().int().min(1).max(10), default: 3 },
  'channels.attributionWindowDays': { group: '渠道', label: '渠道归因窗口（天）：注册前多少天内的首次渠道访问计入该渠道', schema: z.number().int().min(1).max(365), default: 30 },
  'catalogue.categories': {
    group: '产品',
    label: '产品类别',
    schema: z.array(z.string().trim().min(1).max(10)).min(1).max(30),
    default: ['信用贷', '消费贷', '经营贷', '车贷', '房抵贷', '装修贷', '教育贷'],
  },
} as const;

export type SettingKey = keyof typeof settingDefinitions;
export type SettingValue<K extends SettingKey> = z.infer<(typeof settingDefinitions)[K]['schema']>;
export const settingKeys = Object.keys(settingDefinitions) as SettingKey[];

export interface SettingsServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  /** other instances' writes become visible within this many milliseconds */
  maxAgeMs?: number;
}

/** Reads are served from memory; every write goes to the database with an audit row and refreshes memory. */
export class SettingsService {
  private values: Map<string, unknown> | undefined;
  private loadedAt = 0;

  private readonly db: Database;
  private readonly audit: AuditService;
  /** other instances' writes become visible within this many milliseconds */
  private readonly maxAgeMs: number;
  private readonly clock: Clock;

  constructor({ db, audit, maxAgeMs = 5000, clock }: SettingsServiceDeps) {
    this.clock = clock;
    this.db = db;
    this.audit = audit;
    this.maxAgeMs = maxAgeMs;
  }

  private async load(): Promise<Map<string, unknown>> {
    if (this.values && Date.now() - this.loadedAt < this.maxAgeMs) return this.values;
    const rows = await this.db.select().from(systemSettings);
    this.values = new Map(rows.map((r) => [r.key, r.value]));
    this.loadedAt = Date.now();
    return this.values;
  }

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const stored = (await this.load()).get(key);
    const parsed = settingDefinitions[key].schema.safeParse(stored);
    return (parsed.success ? parsed.data : settingDefinitions[key].default) as SettingValue<K>;
  }

  /** The stored value, or `fallback` when operators never set it (e.g. a default from the environment). */
  async getOr<K extends SettingKey>(key: K, fallback: SettingValue<K>): Promise<SettingValue<K>> {
    const parsed = settingDefinitions[key].schema.safeParse((await this.load()).get(key));
    return (parsed.success ? parsed.data : fallback) as SettingValue<K>;
  }

  /** All parameters with their current values, for the settings page. */
  async all(): Promise<{ key: SettingKey; group: string; label: string; value: unknown; isDefault: boolean }[]> {
    const values = await this.load();
    return settingKeys.map((key) => {
      const def = settingDefinitions[key];
      const parsed = def.schema.safeParse(values.get(key));
      return { key, group: def.group, label: def.label, value: parsed.success ? parsed.data : def.default, isDefault: !parsed.success };
    });
  }

  async set<K extends SettingKey>(key: K, value: unknown, actor: AuditActor): Promise<SettingValue<K>> {
    const def = settingDefinitions[key];
    if (!def) throw new ValidationError('参数不存在', { key: '未知的参数' });
    const parsed = def.schema.safeParse(value);
    if (!parsed.success) throw new ValidationError('参数值无效', { [key]: parsed.error.issues[0]?.message ?? '取值无效' });
    const before = await this.get(key);
    await withTransaction(this.db, async (tx) => {
      await tx
        .insert(systemSettings)
        .values({ key, value: parsed.data, updatedBy: actor.id ?? null, updatedAt: this.clock.now() })
        .onConflictDoUpdate({ target: systemSettings.key, set: { value: parsed.data, updatedBy: actor.id ?? null, updatedAt: this.clock.now() } });
      await this.audit.record(actor, { action: 'setting.changed', objectType: 'setting', objectId: key, detail: { before, after: parsed.data } }, tx);
    });
    this.values = undefined;
    return parsed.data as SettingValue<K>;
  }
}
