import { describe, expect, it } from 'vitest';
import {
  CALL_STATUSES,
  FINAL_STATUSES,
  assertTransition,
  canTransition,
  endStatusOnCallerHangup,
  isFinal,
} from '../../src/calls/call-state-machine.js';
import { InvalidCallTransitionError } from '../../src/errors.js';

describe('call state machine', () => {
  it('follows the happy path ivr → queued → ringing → bridged → completed', () => {
    const path = ['ivr', 'queued', 'ringing', 'bridged', 'completed'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('sends a missed ring back to the queue but never skips the queue', () => {
    expect(canTransition('ringing', 'queued')).toBe(true);
    expect(canTransition('ivr', 'ringing')).toBe(false);
    expect(canTransition('ivr', 'bridged')).toBe(false);
  });

  it('sends a transferred call from the bridge back to a queue', () => {
    expect(canTransition('bridged', 'queued')).toBe(true);
  });

  it('lets a queued caller leave for a callback, and a callback call dial its customer either way round', () => {
    expect(canTransition('queued', 'callback')).toBe(true);
    const agentFirst = ['queued', 'ringing', 'dialling', 'bridged', 'completed'] as const;
    for (let i = 1; i < agentFirst.length; i++) expect(canTransition(agentFirst[i - 1]!, agentFirst[i]!)).toBe(true);
    const customerFirst = ['queued', 'dialling', 'queued', 'ringing', 'bridged'] as const;
    for (let i = 1; i < customerFirst.length; i++) expect(canTransition(customerFirst[i - 1]!, customerFirst[i]!)).toBe(true);
    expect(canTransition('dialling', 'unanswered')).toBe(true);
  });

  it('ends a click-to-call its operator did not pick up as unanswered', () => {
    expect(canTransition('ringing', 'unanswered')).toBe(true);
  });

  it('has no way out of a final status, and the final statuses are exactly those', () => {
    for (const s of FINAL_STATUSES) {
      expect(isFinal(s)).toBe(true);
      for (const to of CALL_STATUSES) expect(canTransition(s, to)).toBe(false);
    }
    expect(CALL_STATUSES.filter((s) => isFinal(s))).toEqual([...FINAL_STATUSES]);
  });

  it('rejects an illegal transition with its own error', () => {
    expect(() => assertTransition('queued', 'bridged')).toThrow(InvalidCallTransitionError);
  });

  it('calls a hangup during a bridge completed and any earlier one abandoned', () => {
    expect(endStatusOnCallerHangup('bridged')).toBe('completed');
    for (const s of ['ivr', 'queued', 'ringing'] as const) expect(endStatusOnCallerHangup(s)).toBe('abandoned');
  });
});
