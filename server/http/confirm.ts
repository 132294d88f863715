import { ValidationError } from '../lib/errors';

const REASON = '请勾选确认：此操作无法撤回';

/**
 * Irreversible actions posted from a page carry `confirm=yes`: the `confirm` partial renders a
 * required checkbox that says what will happen, so the browser will not send the form without it
 * (no script needed, the CSP allows none inline), and this refuses a form that comes without it
 * anyway. `parseRest` parses the other fields (the strict schemas never see `confirm`); its
 * mistakes and a missing confirmation are reported together, so one round trip shows them all.
 * The JSON APIs do not ask: a program has no one to ask.
 */
export function withConfirmation<T>(body: Record<string, unknown>, parseRest: (rest: Record<string, unknown>) => T): T {
  const { confirm, ...rest } = body;
  const missing = confirm !== 'yes';
  let parsed: T;
  try {
    parsed = parseRest(rest);
  } catch (err) {
    if (missing && err instanceof ValidationError) throw new ValidationError(err.message, { ...err.fields, confirm: REASON });
    throw err;
  }
  if (missing) throw new ValidationError('请先勾选确认，再提交', { confirm: REASON });
  return parsed;
}

/** A form whose only question is the confirmation: refuses it without, returns the other fields. */
export const confirmed = (body: Record<string, unknown>): Record<string, unknown> => withConfirmation(body, (rest) => rest);
