import { ValidationError } from '../../lib/errors';

/** The variables a canned reply may use, and what each is filled with when it is sent. */
export const cannedVariables = {
  称呼: '对方的称呼（实名用户：王**；访客：访客；机构：机构名称）',
  坐席: '发送回复的客服的名字',
  会话编号: '会话编号，如 KF000123',
} as const;
export type CannedVariable = keyof typeof cannedVariables;
export type CannedValues = Record<CannedVariable, string>;

const VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The variables a text names that are not known: saving such a reply is refused. */
export function unknownVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !(name in cannedVariables));
}

/** A reply's text as its author wrote it, checked: not empty, not too long, only known variables. */
export function checkCannedBody(body: string): string {
  const text = body.trim();
  if (!text) throw new ValidationError('快捷回复不能为空', { body: '请输入内容' });
  if (text.length > 1000) throw new ValidationError('快捷回复过长', { body: '最多 1000 字' });
  const unknown = unknownVariables(text);
  if (unknown.length) throw new ValidationError('快捷回复里有未知变量', { body: `未知变量：${unknown.map((v) => `{{${v}}}`).join('、')}；可用：${Object.keys(cannedVariables).map((v) => `{{${v}}}`).join('、')}` });
  return text;
}

/** Fills a reply's variables at send time: "您好，{{称呼}}，我是{{坐席}}" → "您好，王**，我是小林". */
export function renderCanned(body: string, values: CannedValues): string {
  return body.replace(VARIABLE, (whole, name: string) => (name in values ? values[name as CannedVariable] : whole));
}

/** KF000123: the number of a conversation as people quote it. */
export const conversationNumber = (n: number): string => `KF${String(n).padStart(6, '0')}`;
