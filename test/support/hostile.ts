/**
 * What a hostile or careless client sends (issue 13), shared by the bad-input suites of the JSON
 * APIs and of the forms. Values are JSON texts, so numbers JSON.stringify cannot write (1e309,
 * 2**64 exactly, 400 nines) and 10,000-deep nesting reach the server as sent.
 */

/** PostgreSQL refuses 0x00 in text; jsonb refuses an unpaired surrogate. */
export const NUL_TEXT = 'a\u0000b';
export const LONE_SURROGATE_TEXT = 'a\ud800b';
export const DEEP_JSON = '['.repeat(10_000) + ']'.repeat(10_000);

/** Refused at the edge with exactly 400, naming the field, whatever the route. */
export const refusedValues: Record<string, string> = {
  'a NUL byte': JSON.stringify(NUL_TEXT),
  'a lone surrogate': JSON.stringify(LONE_SURROGATE_TEXT),
};

/** Must never give a 5xx: huge numbers (as numbers and as text) and the wrong types. */
export const oddValues: Record<string, string> = {
  '1e309': '1e309',
  '2**64': '18446744073709551616',
  '400 nines': '9'.repeat(400),
  '400 nines as text': JSON.stringify('9'.repeat(400)),
  '-1e309 as text': JSON.stringify('-1e309'),
  'an object': '{"a":1}',
  'an array': '[true,"x"]',
  'a boolean': 'true',
  'null': 'null',
};

/** The same huge numbers as form text (a form field is always a string). */
export const oddFormTexts: Record<string, string> = {
  '1e309': '1e309',
  '2**64': String(2n ** 64n),
  '400 nines': '9'.repeat(400),
};

/** A JSON object giving every field the same value text (`{"a":v,"b":v}`). */
export const jsonObject = (fields: readonly string[], valueText: string): string => `{${fields.map((f) => `${JSON.stringify(f)}:${valueText}`).join(',')}}`;
