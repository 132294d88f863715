import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { channelCreateSchema, channelLinkSchema, checkInput, registrationChannelSchema } from './channels.input';

const fieldsOf = (fn: () => unknown): Record<string, string> => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields ?? {};
  }
  throw new Error('expected a ValidationError');
};

describe('channel input', () => {
  it('normalises what operators type: phone and account number without spaces, optional fields default to empty', () => {
    const v = checkInput(channelCreateSchema, { name: ' 抖音 ', code: 'dy01', type: 'feed_ads', contactPhone: '138 1234 5678', settlementAccountNumber: '6222-0212 3456' }, 'x');
    expect(v).toMatchObject({ name: '抖音', code: 'dy01', contactPhone: '13812345678', settlementAccountNumber: '622202123456', contactEmail: '', postbackUrl: '', notes: '' });
    expect(checkInput(channelCreateSchema, { name: '甲', code: 'ab', type: 'sms', contactPhone: '010-87654321' }, 'x').contactPhone).toBe('010-87654321');
  });

  it('refuses codes, sub-IDs and click ids outside their patterns, naming the field', () => {
    for (const code of ['A1', 'a', 'dy_01', 'x'.repeat(17), '抖音']) expect(Object.keys(fieldsOf(() => checkInput(channelCreateSchema, { name: '甲', code, type: 'sms' }, 'x')))).toEqual(['code']);
    expect(Object.keys(fieldsOf(() => checkInput(channelCreateSchema, { name: '甲', code: 'ok1', type: 'sms', role: 'admin' }, 'x')))).toEqual(['role']);
    for (const subId of ['has space', 'x'.repeat(41), 'code', '子渠道']) expect(Object.keys(fieldsOf(() => checkInput(channelLinkSchema, { subId }, 'x')))).toEqual(['subId']);
    expect(checkInput(channelLinkSchema, {}, 'x')).toEqual({ subId: '', label: '', landingHeadline: '', landingSubline: '' });
    expect(registrationChannelSchema.safeParse({ code: 'dy01', clickId: 'a b' }).success).toBe(false);
    expect(registrationChannelSchema.safeParse({ code: 'dy01', sub: 'c-7', clickId: 'gdt.1:abc~x' }).success).toBe(true);
  });
});
