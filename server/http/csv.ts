import type { Response } from 'express';
import { stringify as stringifyStream, type Options, type Stringifier } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer: every CSV the platform produces (lead exports, statements, finance,
 * statistics, dashboards, the audit log) is written here, UTF-8 with a BOM so Excel reads
 * Chinese, quoted by csv-stringify.
 *
 * Formula injection: a text cell starting with = + - @, a tab or a CR (and the full-width
 * ＝ ＋ － ＠ that East Asian spreadsheets also take for a formula) is prefixed with a single
 * quote (OWASP), so `=HYPERLINK("//e.x")` typed as a city arrives as text. Numbers the platform
 * computes are written as numbers: a JS number as it is, a money amount through `csvYuan`
 * (two decimals, `-12.50` for a reversal), so negative amounts stay numeric for SUM().
 */

/** A money amount in fen, written in yuan with two decimals, e.g. `-12.50`. */
export class CsvYuan {
  constructor(readonly fen: number) {}

  toString(): string {
    const abs = Math.abs(this.fen);
    return `${this.fen < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  }
}

export const csvYuan = (fen: number): CsvYuan => new CsvYuan(fen);

export type CsvCell = string | number | CsvYuan | null | undefined;
export type CsvRow = readonly CsvCell[];

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;

/** A text cell as written: prefixed with ' when a spreadsheet would read it as a formula. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const options: Options = {
  cast: {
    string: (value) => neutralise(value),
    // a computed amount; anything else would be a mistake, written as text and neutralised
    object: (value) => (value instanceof CsvYuan ? value.toString() : neutralise(JSON.stringify(value))),
  },
};

/** The whole document: BOM, then the rows. */
export function csvDocument(rows: readonly CsvRow[]): string {
  return `\uFEFF${stringify(rows as CsvCell[][], options)}`;
}

/** Sends rows as a CSV download (never cached: exports carry personal and financial data). */
export function sendCsv(res: Response, filename: string | null, rows: readonly CsvRow[]): void {
  res.type('text/csv; charset=utf-8').set('Cache-Control', 'private, no-store');
  if (filename) res.attachment(filename);
  res.send(csvDocument(rows));
}

/** A CSV download written row by row (`write` each row, then `end`), for exports too long to hold. */
export function streamCsv(res: Response, filename: string, header: readonly string[]): Stringifier {
  res.type('text/csv; charset=utf-8').set('Cache-Control', 'private, no-store').attachment(filename);
  res.write('\uFEFF');
  const csv = stringifyStream({ ...options, header: true, columns: [...header] });
  csv.pipe(res);
  return csv;
}
