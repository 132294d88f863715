import { describe, expect, it } from 'vitest';
import { overpaymentOf, paymentReferenceKey } from './statements';

describe('bank transfer rules', () => {
  it('one bank reference, however it was typed', () => {
    expect(paymentReferenceKey('ICBC 2026 0001')).toBe('ICBC20260001');
    expect(paymentReferenceKey(' icbc20260001\t')).toBe('ICBC20260001');
    expect(paymentReferenceKey('ＩＣＢＣ２０２６０００１')).toBe('ICBC20260001'); // full-width, as a Chinese keyboard types it
    expect(paymentReferenceKey('CCB-777')).not.toBe(paymentReferenceKey('CCB777')); // punctuation is part of a reference
  });

  it('an overpayment is only what exceeds the outstanding amount', () => {
    expect(overpaymentOf(9_500, 9_500)).toBe(0);
    expect(overpaymentOf(4_000, 9_500)).toBe(0);
    expect(overpaymentOf(100_000_000, 9_500)).toBe(99_990_500);
    expect(overpaymentOf(500, 0)).toBe(500);
    expect(overpaymentOf(500, -2_000)).toBe(500); // a credit statement owes nothing
  });
});
