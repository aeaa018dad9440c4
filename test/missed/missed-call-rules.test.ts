// The missed-calls worklist's pure rules: which ended calls miss or reach, how numbers are
// compared, the order within one look, what clears an entry, and the automatic callback.
import { describe, expect, it } from 'vitest';
import { classify, clears, mayFollowUp, numberKey, planPass, shouldAutoBook, type CallTransition, type Missed, type Reached } from '../../src/missed/missed-call-rules.js';

const T0 = new Date('2026-12-07T10:00:00Z');
const at = (sec: number) => new Date(T0.getTime() + sec * 1000);
let n = 0;
const tr = (o: Partial<CallTransition>): CallTransition => ({
  eventId: String(++n), to: 'abandoned', at: at(30), callId: `call-${n}`, callerNumber: '79121234567', line: 'first', ivrPath: ['menu:1'],
  queuedAt: at(0), answeredAt: null, callbackId: null, ticketId: '7', ...o,
});

describe('numbers', () => {
  it('are one caller however the trunk or a callback spells a Russian number', () => {
    const forms = ['89121234567', '+79121234567', '79121234567', '9121234567', '8 (912) 123-45-67'];
    expect(new Set(forms.map((f) => numberKey(f, 'RU')))).toEqual(new Set(['+79121234567']));
  });

  it('keep the digits of what is no valid number, and drop withheld ones', () => {
    expect(numberKey('100', 'RU')).toBe('100');
    expect(numberKey('anonymous', 'RU')).toBeNull();
    expect(numberKey('', 'RU')).toBeNull();
    expect(numberKey(null, 'RU')).toBeNull();
    expect(numberKey('12', 'RU')).toBeNull();
  });
});

describe('which calls miss', () => {
  it('a caller who hung up in the queue, or while an operator was rung, with their wait', () => {
    expect(classify(tr({ to: 'abandoned', queuedAt: at(0), at: at(42) }), 'RU')).toMatchObject({ reason: 'abandoned', line: 'first', number: '+79121234567', waitedSec: 42, ticketId: '7' });
  });

  it('a voicemail without an operator: after hours (the line from the hours step) or the queue overflowing into it', () => {
    const afterHours = tr({ to: 'completed', line: null, queuedAt: null, ivrPath: ['hours:second=closed', 'voicemail'] });
    expect(classify(afterHours, 'RU')).toMatchObject({ reason: 'voicemail', line: 'second', waitedSec: 0 });
    // Any configured line's closed hours: a third line, an id with digits and a hyphen.
    for (const line of ['third', 'vip-en2']) {
      expect(classify(tr({ ...afterHours, line: null, ivrPath: [`hours:${line}=closed`, 'voicemail'] }), 'RU')).toMatchObject({ reason: 'voicemail', line });
    }
    expect(classify(tr({ to: 'abandoned', line: 'third' }), 'RU')).toMatchObject({ reason: 'abandoned', line: 'third' });
    const overflow = tr({ to: 'completed', line: 'first', queuedAt: at(0), at: at(900), ivrPath: ['menu:1', 'overflow', 'voicemail'] });
    expect(classify(overflow, 'RU')).toMatchObject({ reason: 'voicemail', line: 'first', waitedSec: 900 });
  });

  it('not: a hang-up in the IVR, a call an operator answered, a callback call, a withheld number, a voicemail on no line', () => {
    expect(classify(tr({ to: 'abandoned', queuedAt: null, line: null }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'completed', answeredAt: at(10), ivrPath: ['voicemail'] }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'completed', ivrPath: ['menu:1'] }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'abandoned', callbackId: 'cb-1' }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'abandoned', callerNumber: 'anonymous' }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'completed', line: null, ivrPath: ['voicemail'] }), 'RU')).toBeNull();
    expect(classify(tr({ to: 'queued' }), 'RU')).toBeNull();
  });

  it('a bridge reaches the number: answered, or called back when it is a callback call', () => {
    expect(classify(tr({ to: 'bridged', callerNumber: '89121234567' }), 'RU')).toMatchObject({ how: 'answered', number: '+79121234567', line: 'first' });
    expect(classify(tr({ to: 'bridged', callerNumber: '+79121234567', callbackId: 'cb-1', line: 'second' }), 'RU')).toMatchObject({ how: 'called-back', line: 'second' });
  });
});

describe('one look', () => {
  it('keeps every missed call (each counts) and the latest reach per line and number', () => {
    const plan = planPass(
      [
        tr({ to: 'abandoned', callerNumber: '89121234567', at: at(10) }),
        tr({ to: 'abandoned', callerNumber: '+79121234567', at: at(20) }),
        tr({ to: 'bridged', callerNumber: '79121234567', at: at(30) }),
        tr({ to: 'bridged', callerNumber: '79121234567', at: at(50) }),
        tr({ to: 'bridged', callerNumber: '79121234567', at: at(40), line: 'second' }),
      ],
      'RU',
    );
    expect(plan.missed.map((m) => m.number)).toEqual(['+79121234567', '+79121234567']);
    expect(plan.reached.map((r) => `${r.line} ${r.at.toISOString()}`).sort()).toEqual([`first ${at(50).toISOString()}`, `second ${at(40).toISOString()}`]);
  });
});

describe('clearing', () => {
  const entry = { line: 'first' as const, number: '+79121234567', lastAt: at(30), status: 'open' as const };
  const reach = (o: Partial<Reached>): Reached => ({ line: 'first', number: '+79121234567', at: at(60), how: 'answered', ...o });

  it('a later reach of the same number on the same line clears an open or booked entry', () => {
    expect(clears(entry, reach({}))).toBe(true);
    expect(clears({ ...entry, status: 'booked' }, reach({ how: 'called-back' }))).toBe(true);
    expect(clears(entry, reach({ at: at(30) }))).toBe(true);
  });

  it('not: a reach before the last missed call, another line, another number, an entry cleared already', () => {
    expect(clears(entry, reach({ at: at(29) }))).toBe(false);
    expect(clears(entry, reach({ line: 'second' }))).toBe(false);
    expect(clears(entry, reach({ number: '+79121234568' }))).toBe(false);
    expect(clears({ ...entry, status: 'cleared' }, reach({}))).toBe(false);
  });
});

describe('the automatic callback', () => {
  const m = (o: Partial<Missed>): Missed => ({ line: 'first', number: '+79121234567', reason: 'abandoned', callId: 'c', at: T0, waitedSec: 61, ticketId: null, ...o });
  it('books for an abandoned caller who waited longer than the setting, and is off at 0', () => {
    expect(shouldAutoBook(m({}), 60)).toBe(true);
    expect(shouldAutoBook(m({ waitedSec: 60 }), 60)).toBe(false);
    expect(shouldAutoBook(m({}), 0)).toBe(false);
    expect(shouldAutoBook(m({ reason: 'voicemail', waitedSec: 900 }), 60)).toBe(false);
  });
});

describe('who follows up', () => {
  it('operators their own line, supervisors and admins any', () => {
    expect(mayFollowUp({ role: 'operator', line: 'first' }, 'first')).toBe(true);
    expect(mayFollowUp({ role: 'operator', line: 'first' }, 'second')).toBe(false);
    expect(mayFollowUp({ role: 'supervisor', line: 'first' }, 'second')).toBe(true);
    expect(mayFollowUp({ role: 'admin', line: null }, 'second')).toBe(true);
    expect(mayFollowUp({ role: 'panel', line: null }, 'first')).toBe(false);
    // Served lines besides the home line (operators.lines).
    expect(mayFollowUp({ role: 'operator', line: 'first', lines: ['first', 'third'] }, 'third')).toBe(true);
    expect(mayFollowUp({ role: 'operator', line: 'first', lines: ['first', 'third'] }, 'second')).toBe(false);
  });
});
