import { paramFields, type ProductParams } from './product-params';

export interface DiffRow {
  key: string;
  label: string;
  /** as people read it; null when there is no approved version yet */
  before: string | null;
  after: string;
  changed: boolean;
}

/**
 * Field-by-field comparison of a version with the approved one, each value formatted (¥, %).
 * Without an approved version every field counts as changed (a new product).
 */
export function diffVersions(approved: ProductParams | null, proposed: ProductParams): DiffRow[] {
  return paramFields.map((f) => {
    const after = f.show(proposed);
    const before = approved ? f.show(approved) : null;
    return { key: f.key, label: f.label, before, after, changed: before !== after };
  });
}

export const changedCount = (rows: DiffRow[]) => rows.filter((r) => r.changed).length;
