import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { maskPiiInText } from '../../lib/pii';
import { checkCannedBody, conversationNumber, renderCanned, unknownVariables } from './canned-replies';
import { nextInTurn, nextOnDuty, onDutyAt, parseMinute } from './roster';

describe('canned replies', () => {
  const values = { 称呼: '王**', 坐席: '小林', 会话编号: 'KF000042' };

  it('fills every variable at send time, however it is spaced', () => {
    expect(renderCanned('您好，{{称呼}}！我是{{ 坐席 }}，会话 {{会话编号}} 已记录。', values)).toBe('您好，王**！我是小林，会话 KF000042 已记录。');
  });

  it('fills a variable used twice, and leaves text without variables as it is', () => {
    expect(renderCanned('{{坐席}}/{{坐席}}', values)).toBe('小林/小林');
    expect(renderCanned('请稍等', values)).toBe('请稍等');
  });

  it('refuses to save a reply naming an unknown variable, saying which', () => {
    expect(unknownVariables('{{称呼}} {{姓名}}')).toEqual(['姓名']);
    expect(() => checkCannedBody('您好 {{姓名}}')).toThrow(ValidationError);
    try {
      checkCannedBody('您好 {{姓名}}');
    } catch (err) {
      expect((err as ValidationError).fields?.body).toContain('{{姓名}}');
    }
    expect(checkCannedBody('  您好，{{称呼}}  ')).toBe('您好，{{称呼}}');
  });

  it('numbers conversations as people quote them', () => {
    expect(conversationNumber(42)).toBe('KF000042');
  });
});

describe('roster', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 11, 7, h));
  const shifts = [
    { agentId: 'b', startsAt: at(1), endsAt: at(9) },
    { agentId: 'a', startsAt: at(1), endsAt: at(5) },
    { agentId: 'c', startsAt: at(9), endsAt: at(13) },
  ];

  it('knows who is on duty, start inclusive and end exclusive', () => {
    expect(onDutyAt(shifts, at(1))).toEqual(['a', 'b']);
    expect(onDutyAt(shifts, at(5))).toEqual(['b']);
    expect(onDutyAt(shifts, at(0))).toEqual([]);
  });

  it('tells when someone is next on duty', () => {
    expect(nextOnDuty(shifts, at(0))).toEqual(at(1));
    expect(nextOnDuty(shifts, at(2))).toEqual(at(9));
    expect(nextOnDuty(shifts, at(10))).toBeNull();
  });

  it('goes round the agents on duty in turn', () => {
    expect(nextInTurn(['a', 'b', 'c'], null)).toBe('a');
    expect(nextInTurn(['a', 'b', 'c'], 'a')).toBe('b');
    expect(nextInTurn(['a', 'b', 'c'], 'c')).toBe('a');
    expect(nextInTurn(['a', 'c'], 'b')).toBe('c');
    expect(nextInTurn([], 'a')).toBeNull();
  });

  it('reads service hours', () => {
    expect(parseMinute('09:30')).toBe(570);
    expect(parseMinute('24:00')).toBe(1440);
    expect(parseMinute('9点')).toBeNull();
  });
});

describe('personal data in messages', () => {
  it('masks phone and ID numbers inside text, leaving other numbers', () => {
    expect(maskPiiInText('电话13812345678，身份证11010119900307123X，借 50000 元')).toBe('电话138****5678，身份证**************123X，借 50000 元');
  });
});
