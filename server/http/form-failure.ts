import type { Response } from 'express';
import { AppError, type FieldErrors } from '../lib/errors';

/** What a page shows beside its form when the form was refused. */
export interface FormError {
  message: string;
  fields?: FieldErrors;
}

/**
 * Refusals a form cannot show: the thing the page is about does not exist or is not yours (404),
 * or a shared service is down (503). The error handler answers them with its error page.
 */
const errorPageStatuses: ReadonlySet<number> = new Set([404, 503]);

function shownOnTheForm(err: unknown): err is AppError {
  return err instanceof AppError && !errorPageStatuses.has(err.status);
}

/**
 * The one way a page turns a refusal into its form shown again: bad input (400), credentials
 * typed in the form refused (401), not allowed (403), a conflict with the current state (409),
 * too many tries (429)… set the status of the error's class and come back as the message and
 * fields to show beside what was typed. Anything else is thrown on to the error handler (an
 * error page, or a 500 for what nobody foresaw).
 *
 *     } catch (err) {
 *       await show(req, res, { error: formFailure(res, err), values });
 *     }
 */
export function formFailure(res: Response, err: unknown): FormError {
  if (!shownOnTheForm(err)) throw err;
  res.status(err.status);
  return { message: err.message, fields: err.fields };
}

/**
 * For an action that redirects back to its page (a button, not a form to fill in): the same
 * refusals become the flash message on that page, naming the fields' reasons; anything else is
 * thrown on to the error handler.
 */
export function failureFlash(err: unknown): { kind: 'error'; message: string } {
  if (!shownOnTheForm(err)) throw err;
  const reasons = Object.values(err.fields ?? {});
  return { kind: 'error', message: reasons.length ? `${err.message}：${reasons.join('；')}` : err.message };
}
