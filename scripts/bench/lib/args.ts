/** A whole-number option of a bench's parseArgs values, at least `min`; throws with the option's name otherwise. */
export function positiveInt<K extends string>(args: Partial<Record<K, string | boolean | undefined>>, name: K, min = 1): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
}
