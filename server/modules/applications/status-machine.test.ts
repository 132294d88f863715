import { describe, expect, it } from 'vitest';
import { applicationStatuses } from './applications.schema';
import { canTransition, isTerminal, nextStatuses } from './status-machine';

describe('application status machine', () => {
  it('lets the institution walk the happy path', () => {
    expect(canTransition('submitted', 'reviewing', 'institution')).toBe(true);
    expect(canTransition('reviewing', 'approved', 'institution')).toBe(true);
    expect(canTransition('approved', 'accepted', 'consumer')).toBe(true);
    expect(canTransition('accepted', 'disbursed', 'institution')).toBe(true);
  });

  it('an approval is an offer: only the borrower accepts or declines it, and money moves only after acceptance', () => {
    expect(canTransition('approved', 'disbursed', 'institution')).toBe(false);
    expect(canTransition('approved', 'accepted', 'institution')).toBe(false);
    expect(canTransition('approved', 'declined', 'consumer')).toBe(true);
    expect(canTransition('approved', 'expired', 'system')).toBe(true);
    expect(canTransition('accepted', 'declined', 'consumer')).toBe(false);
    expect(canTransition('declined', 'accepted', 'consumer')).toBe(false);
    expect(canTransition('expired', 'accepted', 'consumer')).toBe(false);
  });

  it('refuses illegal moves and the wrong actor', () => {
    expect(canTransition('submitted', 'disbursed', 'institution')).toBe(false);
    expect(canTransition('disbursed', 'disbursed', 'institution')).toBe(false);
    expect(canTransition('rejected', 'approved', 'institution')).toBe(false);
    expect(canTransition('submitted', 'approved', 'consumer')).toBe(false);
    expect(canTransition('submitted', 'withdrawn', 'institution')).toBe(false);
    expect(canTransition('submitted', 'withdrawn', 'consumer')).toBe(true);
    expect(canTransition('disbursed', 'withdrawn', 'consumer')).toBe(false);
  });

  it('has terminal states with no way out for anyone', () => {
    const terminal = applicationStatuses.filter(isTerminal);
    expect(terminal.sort()).toEqual(['declined', 'disbursed', 'expired', 'rejected', 'withdrawn']);
    for (const from of terminal) {
      for (const to of applicationStatuses) {
        for (const actor of ['consumer', 'institution', 'operator', 'system'] as const) {
          expect(canTransition(from, to, actor)).toBe(false);
        }
      }
    }
  });

  it('lists what an actor may do next', () => {
    expect(nextStatuses('submitted', 'institution').sort()).toEqual(['approved', 'rejected', 'reviewing']);
    expect(nextStatuses('approved', 'institution')).toEqual([]);
    expect(nextStatuses('approved', 'consumer')).toEqual(['accepted', 'declined', 'withdrawn']);
    expect(nextStatuses('accepted', 'institution')).toEqual(['disbursed']);
  });
});
