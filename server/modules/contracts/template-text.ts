import { ValidationError } from '../../lib/errors';

/**
 * Contract bodies are plain text with `{{name}}` placeholders (letters, digits, `_` and `.`).
 * The substitution is ours, not Handlebars: no helpers, no partials, no code, nothing escaped
 * (the result goes into a PDF as text, never into HTML unescaped). A placeholder with no value
 * is an error naming it, so a contract is never signed with a blank where a figure should be.
 */
const placeholder = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** The placeholder names a body uses, each once, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set([...body.matchAll(placeholder)].map((m) => m[1]!))];
}

export class MissingVariablesError extends ValidationError {
  constructor(readonly missing: string[]) {
    super(`合同模板缺少变量：${missing.join('、')}`, { variables: `缺少：${missing.join('、')}` });
  }
}

/** The body with every placeholder replaced by its value; throws naming every placeholder without a value. */
export function renderTemplate(body: string, variables: Readonly<Record<string, string>>): string {
  const missing = templateVariables(body).filter((name) => !Object.hasOwn(variables, name) || variables[name] === undefined);
  if (missing.length > 0) throw new MissingVariablesError(missing);
  return body.replace(placeholder, (_all, name: string) => String(variables[name]));
}
