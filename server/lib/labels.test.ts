import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { otpCodes } from '../modules/accounts/accounts.schema';
import { applicationStatuses } from '../modules/applications';
import { auditActionLabels, auditObjectLabels } from '../modules/audit';
import { REMINDER_OFFSETS } from '../modules/loans';
import { outboxMessages } from '../modules/notifications/notifications.schema';
import { HttpGatewayProvider } from '../adapters/sms';
import { OutboxProvider, messageProviderLabels, outboxChannelLabels, outboxStatusLabels, smsTemplateLabels } from '../modules/notifications';

/**
 * Every code the platform can write where operators read it (outbox, audit log) has a label in
 * Chinese. The codes come from where they are made: schema enums, the lists the senders build
 * them from, and the literals in the source (the type of `AuditEntry` and `sendSms` enforces the
 * same when compiling; this also catches a code that slipped past the types).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sources = ['server', 'admin', 'institution-portal', 'web', 'scripts'].flatMap((dir) =>
  readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(path.join(root, dir, f), 'utf8')),
);
/** the quoted literals of `key: '…'` and of both arms of `key: cond ? '…' : '…'` */
const literalsOf = (key: string) =>
  new Set(
    sources.flatMap((text) =>
      [...text.matchAll(new RegExp(`\\b${key}: ('[^']+'|[^,}\\n]*\\?[^,}\\n]*)`, 'g'))].flatMap((m) => [...m[1]!.matchAll(/'([a-z_]+(?:\.[a-z_]+)*)'/g)].map((q) => q[1]!)),
    ),
  );
const chinese = /[\u4e00-\u9fff]/;
const unlabelled = (codes: Iterable<string>, labels: Record<string, string>) => [...codes].filter((c) => !chinese.test(labels[c] ?? ''));

describe('labels for every code shown to operators', () => {
  it('audit actions: every action recorded anywhere in the source', () => {
    const actions = [...literalsOf('action')].filter((a) => a.includes('.'));
    expect(actions.length).toBeGreaterThan(100);
    expect(unlabelled(actions, auditActionLabels)).toEqual([]);
    // the ones built from a decision
    expect(unlabelled(['review.approved', 'review.rejected', 'promotion.approved', 'promotion.rejected', 'statement.line_confirmed', 'statement.line_disputed'], auditActionLabels)).toEqual([]);
  });

  it('audit object types: every object type recorded anywhere in the source', () => {
    const types = literalsOf('objectType');
    expect(types.size).toBeGreaterThan(25);
    expect(unlabelled(types, auditObjectLabels)).toEqual([]);
  });

  it('outbox channels, statuses and providers', () => {
    expect(unlabelled(outboxMessages.channel.enumValues, outboxChannelLabels)).toEqual([]);
    expect(unlabelled(outboxMessages.status.enumValues, outboxStatusLabels)).toEqual([]);
    expect(unlabelled([new OutboxProvider().name, new HttpGatewayProvider('https://sms.example', 'secret').name], messageProviderLabels)).toEqual([]);
  });

  it('SMS templates: codes, status changes, reminders, and every literal passed to a sender', () => {
    const built = [
      ...otpCodes.purpose.enumValues.map((p) => `otp.${p}`),
      ...applicationStatuses.filter((s) => s !== 'submitted').map((s) => `application.${s}`),
      ...REMINDER_OFFSETS.map((d) => `loan.reminder_${d}`),
    ];
    const passed = sources.flatMap((text) => [...text.matchAll(/\b(?:sendSms|this\.sms)\([^,]+, '([^']+)'/g)].map((m) => m[1]!));
    expect(passed.length).toBeGreaterThanOrEqual(3);
    expect(unlabelled([...built, ...passed], smsTemplateLabels)).toEqual([]);
  });
});
