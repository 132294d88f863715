/**
 * One line of a delimited text (CSV, or tab-separated as pasted from a spreadsheet) → fields.
 * Double quotes may wrap a field ("" is a quote inside one). Null when a quote is left open or
 * text follows a closing quote. Files are split into lines first, so that one bad line is
 * reported on its own and the rest are still read.
 */
export function splitCsvLine(line: string, delimiter = ','): string[] | null {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += line[i++];
      }
      if (i < line.length && line[i] !== delimiter) return null;
      fields.push(value);
      i += 1;
    } else {
      const end = line.indexOf(delimiter, i);
      const stop = end === -1 ? line.length : end;
      fields.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}
