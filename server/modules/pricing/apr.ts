/**
 * Internal rate of return and the all-in APR (年化利率, IRR method).
 *
 * APR is a ratio, not money, so it is solved in floating point: the cash flows are
 * integer fen, and the result is a fraction that is never rounded here.
 */

/** NPV Σ c_t·(1+r)^-t and its derivative with respect to r, by Horner's rule in v = 1/(1+r). */
function npvWithDerivative(flows: ArrayLike<number>, length: number, r: number): [number, number] {
  const v = 1 / (1 + r);
  let f = 0;
  let dv = 0;
  for (let t = length - 1; t >= 0; t--) {
    dv = dv * v + f;
    f = f * v + (flows[t] as number);
  }
  // dNPV/dr = dNPV/dv · dv/dr = dNPV/dv · (−v²)
  return [f, -dv * v * v];
}

function npv(flows: ArrayLike<number>, length: number, r: number): number {
  const v = 1 / (1 + r);
  let f = 0;
  for (let t = length - 1; t >= 0; t--) f = f * v + (flows[t] as number);
  return f;
}

/** Probe points above 0; the search goes on ×1000 past the last one until the NPV changes sign. */
const UPWARD = [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6, 1e9];
const DOWNWARD = [-0.01, -0.05, -0.1, -0.25, -0.5, -0.75, -0.9, -0.99, -0.999, -0.9999, -0.99999, -0.999999, -1 + 1e-9];
/** Probe points for flows whose NPV has the same sign at −1, 0 and +∞ (an even number of roots, maybe none). */
const SCAN = [...DOWNWARD.slice().reverse(), 0, ...UPWARD];

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/**
 * Periodic IRR of `flows[0..length)` (the flow at index t happens at period t).
 * Brackets a root, then runs Newton's method safeguarded by bisection inside the bracket,
 * so the answer always lies strictly inside a sign change of the NPV.
 * Internal: lets hot loops pass a reused typed array.
 */
export function solveIrr(flows: ArrayLike<number>, length: number, guess = 0.01): number {
  if (length < 2) throw new RangeError('IRR needs at least two cash flows');
  let first = 0;
  let last = 0;
  let positive = false;
  let negative = false;
  for (let t = 0; t < length; t++) {
    const c = flows[t] as number;
    if (!Number.isFinite(c)) throw new RangeError(`cash flow ${t} is not a finite number`);
    if (c > 0) positive = true;
    else if (c < 0) negative = true;
    else continue;
    if (first === 0) first = c;
    last = c;
  }
  if (!positive || !negative) throw new RangeError('IRR is undefined: the cash flows never change sign');

  const f0 = npv(flows, length, 0);
  if (f0 === 0) return 0;

  // NPV → sign(first non-zero flow) as r → +∞ and → sign(last non-zero flow) as r → −1⁺.
  let lo = Number.NaN;
  let hi = Number.NaN;
  let fLo = 0;
  if (sign(f0) !== sign(first)) {
    lo = 0;
    fLo = f0;
    for (let i = 0, r = UPWARD[0] as number; Number.isFinite(r); i++, r = (UPWARD[i] as number | undefined) ?? r * 1e3) {
      const f = npv(flows, length, r);
      if (sign(f) !== sign(f0)) {
        hi = r;
        break;
      }
      lo = r;
      fLo = f;
    }
  } else if (sign(f0) !== sign(last)) {
    hi = 0;
    for (const r of DOWNWARD) {
      const f = npv(flows, length, r);
      if (Number.isNaN(f)) break; // overflow this close to −100%
      if (sign(f) !== sign(f0)) {
        lo = r;
        fLo = f;
        break;
      }
      hi = r;
    }
  } else {
    let prevR = SCAN[0] as number;
    let prevF = npv(flows, length, prevR);
    if (Number.isNaN(prevF)) prevF = sign(last) * Infinity;
    for (let i = 1; i < SCAN.length; i++) {
      const r = SCAN[i] as number;
      const f = r === 0 ? f0 : npv(flows, length, r);
      if (Number.isNaN(f)) continue;
      if (f === 0) return r;
      if (sign(f) !== sign(prevF)) {
        lo = prevR;
        fLo = prevF;
        hi = r;
        break;
      }
      prevR = r;
      prevF = f;
    }
  }
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new RangeError('IRR not found: the NPV does not change sign at any probed rate');
  if (fLo === 0) return lo;

  // Safeguarded Newton inside [lo, hi], where sign(f(lo)) = sign(fLo) ≠ sign(f(hi)).
  let x = guess > lo && guess < hi ? guess : (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const [f, df] = npvWithDerivative(flows, length, x);
    if (f === 0) return x;
    // NaN only comes from overflow near −100%, i.e. at the `lo` end
    if (Number.isNaN(f) || sign(f) === sign(fLo)) lo = x;
    else hi = x;
    let next = x - f / df;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    const step = Math.abs(next - x);
    x = next;
    if (step <= 1e-15 * (1 + Math.abs(x)) || hi - lo <= 4 * Number.EPSILON * (1 + Math.abs(x))) return x;
  }
  return x;
}

/**
 * Periodic IRR of cash flows at t = 0, 1, 2, … (Newton with a bisection fallback).
 * Throws RangeError when the flows never change sign (no IRR exists) or no root can be bracketed.
 * `guess` (optional) is where Newton's method starts.
 */
export function irr(cashflows: number[], guess?: number): number {
  return solveIrr(cashflows, cashflows.length, guess);
}

/**
 * All-in APR by the IRR method, as Chinese regulators require it disclosed:
 * t0 = +netReceivedFen (what the borrower actually gets), then −paymentsFen[k−1] at month k
 * (pass 0 for months without a payment); the monthly IRR × 12.
 */
export function allInApr(netReceivedFen: number, paymentsFen: number[]): number {
  const flows = new Array<number>(paymentsFen.length + 1);
  flows[0] = netReceivedFen;
  for (let k = 0; k < paymentsFen.length; k++) flows[k + 1] = -(paymentsFen[k] as number);
  return solveIrr(flows, flows.length) * 12;
}
