import { ConflictError, ValidationError, type FieldErrors } from '../lib/errors';

/**
 * For a page that shows its form again: the form's own mistakes (400) or a conflict with the
 * current state (409), with the message and the fields. Anything else is thrown on to the error
 * handler.
 */
export function formFailure(err: unknown): { status: 400 | 409; error: { message: string; fields?: FieldErrors } } {
  if (!(err instanceof ValidationError) && !(err instanceof ConflictError)) throw err;
  return { status: err instanceof ValidationError ? 400 : 409, error: { message: err.message, fields: err.fields } };
}
