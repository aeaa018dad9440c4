import { describe, expect, it } from 'vitest';
import {
  PHASE_KINDS,
  assertPhaseTransition,
  canPhaseTransition,
  endedByOnCallerHangup,
  isOver,
  nextKinds,
  outcomeOnCallerHangup,
  phaseOfRow,
  statusOf,
  type CallPhase,
  type Colleague,
  type LivePhase,
} from '../../src/calls/call-phase.js';
import { CallSession, CallerGoneError, type CallSessionDeps } from '../../src/calls/call-session.js';
import { CALL_STATUSES, canTransition, isFinal, type CallStatus, type FinalStatus } from '../../src/calls/call-state-machine.js';
import { InvalidCallTransitionError } from '../../src/errors.js';

const colleague: Colleague = { operatorId: 'op', line: 'first', channelId: 'ch', mode: 'consult', answered: false };

/** Every live phase, with each shape of its data. */
const LIVE: LivePhase[] = [
  { kind: 'ivr', callbackAsked: false, endsAs: 'abandoned' },
  { kind: 'ivr', callbackAsked: true, endsAs: 'completed' },
  { kind: 'queued' },
  { kind: 'callback-menu', endsAs: 'abandoned' },
  { kind: 'callback-menu', endsAs: 'callback' },
  { kind: 'overflow-ivr', endsAs: 'abandoned' },
  { kind: 'overflow-ivr', endsAs: 'completed' },
  { kind: 'ringing', answered: false },
  { kind: 'ringing', answered: true },
  { kind: 'dialling' },
  { kind: 'bridged', caller: { at: 'bridge' } },
  { kind: 'bridged', caller: { at: 'hold' } },
  { kind: 'bridged', caller: { at: 'code', askedBy: 'op' } },
  { kind: 'consulting', caller: { at: 'hold' }, colleague },
  { kind: 'consulting', caller: { at: 'code', askedBy: null }, colleague: { ...colleague, mode: 'conference', answered: true } },
  { kind: 'surveying' },
];
const FINAL = CALL_STATUSES.filter(isFinal) as FinalStatus[];
const ENDED: CallPhase[] = FINAL.map((outcome) => ({ kind: 'ended', outcome }));
const endings = (was: LivePhase): CallPhase[] => FINAL.map((outcome) => ({ kind: 'ending', was, outcome, by: 'caller' }));

describe('call phases', () => {
  it('covers every phase kind, each with a persisted status (the map is total)', () => {
    const all = [...LIVE, ...LIVE.flatMap(endings), ...ENDED];
    expect(new Set(all.map((p) => p.kind))).toEqual(new Set(PHASE_KINDS));
    for (const p of all) expect(CALL_STATUSES).toContain(statusOf(p));
    // An ending keeps the status it ends from until the final transition is written; ended has its outcome.
    for (const p of LIVE) for (const e of endings(p)) expect(statusOf(e)).toBe(statusOf(p));
    for (const e of ENDED) expect(statusOf(e)).toBe(e.kind === 'ended' ? e.outcome : undefined);
    // Several phases share a status: the row says less than the session.
    expect(['callback-menu', 'overflow-ivr'].map((k) => statusOf(LIVE.find((p) => p.kind === k)!))).toEqual(['queued', 'queued']);
    expect(['consulting', 'surveying'].map((k) => statusOf(LIVE.find((p) => p.kind === k)!))).toEqual(['bridged', 'bridged']);
  });

  it('accepts exactly the listed changes between live phases', () => {
    for (const from of LIVE) {
      for (const to of LIVE) {
        const listed = nextKinds(from.kind).includes(to.kind);
        expect(canPhaseTransition(from, to), `${from.kind} → ${to.kind}`).toBe(listed);
        if (!listed) expect(() => assertPhaseTransition(from, to)).toThrow(InvalidCallTransitionError);
      }
    }
  });

  it('changes the status only as the state machine allows', () => {
    for (const from of LIVE) {
      for (const to of LIVE) {
        const [a, b] = [statusOf(from), statusOf(to)];
        if (canPhaseTransition(from, to) && a !== b) expect(canTransition(a, b), `${from.kind} → ${to.kind}`).toBe(true);
      }
    }
  });

  it('ends every live phase in the outcomes its status may end in, and only from itself', () => {
    for (const from of LIVE) {
      for (const e of endings(from)) {
        const outcome = (e as { outcome: FinalStatus }).outcome;
        expect(canPhaseTransition(from, e), `${from.kind} → ending ${outcome}`).toBe(canTransition(statusOf(from), outcome));
      }
      // An ending naming another phase than the one it ends is refused.
      const other: CallPhase = { kind: 'ending', was: { kind: 'queued' }, outcome: 'failed', by: 'system' };
      expect(canPhaseTransition(from, other)).toBe(false);
      // The final status is never reached without the ending.
      for (const e of ENDED) expect(canPhaseTransition(from, e)).toBe(false);
    }
  });

  it('goes from ending only to ended, with the same outcome, and never out of ended', () => {
    const all = [...LIVE, ...ENDED];
    for (const was of LIVE) {
      for (const e of endings(was).filter((x) => canPhaseTransition(was, x))) {
        const outcome = (e as { outcome: FinalStatus }).outcome;
        for (const to of all) expect(canPhaseTransition(e, to)).toBe(to.kind === 'ended' && to.outcome === outcome);
        for (const to of endings(was)) expect(canPhaseTransition(e, to)).toBe(false);
      }
    }
    for (const e of ENDED) {
      expect(isOver(e)).toBe(true);
      for (const to of [...all, ...LIVE.flatMap(endings)]) expect(canPhaseTransition(e, to)).toBe(false);
    }
  });

  it('realises every transition of the state machine by some change of phase', () => {
    for (const a of CALL_STATUSES) {
      for (const b of CALL_STATUSES) {
        if (!canTransition(a, b)) continue;
        const froms = LIVE.filter((p) => statusOf(p) === a);
        const realised = isFinal(b)
          ? froms.some((p) => canPhaseTransition(p, { kind: 'ending', was: p, outcome: b, by: 'caller' }))
          : froms.some((p) => LIVE.some((q) => statusOf(q) === b && canPhaseTransition(p, q)));
        expect(realised, `${a} → ${b}`).toBe(true);
      }
    }
  });

  it('ends a caller hangup as the phase decided it', () => {
    const cases: [LivePhase, FinalStatus][] = [
      [{ kind: 'ivr', callbackAsked: false, endsAs: 'abandoned' }, 'abandoned'],
      [{ kind: 'ivr', callbackAsked: false, endsAs: 'completed' }, 'completed'],
      [{ kind: 'overflow-ivr', endsAs: 'completed' }, 'completed'],
      [{ kind: 'callback-menu', endsAs: 'callback' }, 'callback'],
      [{ kind: 'callback-menu', endsAs: 'abandoned' }, 'abandoned'],
      [{ kind: 'queued' }, 'abandoned'],
      [{ kind: 'ringing', answered: false }, 'abandoned'],
      [{ kind: 'ringing', answered: true }, 'abandoned'],
      [{ kind: 'bridged', caller: { at: 'hold' } }, 'completed'],
      [{ kind: 'bridged', caller: { at: 'code', askedBy: 'op' } }, 'completed'],
      [{ kind: 'consulting', caller: { at: 'bridge' }, colleague }, 'completed'],
      [{ kind: 'surveying' }, 'completed'],
    ];
    for (const [p, outcome] of cases) {
      expect(outcomeOnCallerHangup(p)).toBe(outcome);
      expect(canPhaseTransition(p, { kind: 'ending', was: p, outcome, by: 'caller' })).toBe(true);
    }
  });

  it('says who ended a call whose caller left: the IVR that ended it itself, the operator before a survey, else the caller', () => {
    const by = LIVE.map((p) => [p, endedByOnCallerHangup(p)] as const);
    expect(by.filter(([, who]) => who === 'system').map(([p]) => p)).toEqual([
      { kind: 'ivr', callbackAsked: true, endsAs: 'completed' },
      { kind: 'overflow-ivr', endsAs: 'completed' },
    ]);
    expect(by.filter(([, who]) => who === 'operator').map(([p]) => p)).toEqual([{ kind: 'surveying' }]);
    expect(by.filter(([, who]) => who === 'caller')).toHaveLength(LIVE.length - 3);
  });

  it('reads a phase back from every status a row can have', () => {
    for (const status of CALL_STATUSES) {
      const p = phaseOfRow({ status, on_hold: true });
      expect(statusOf(p)).toBe(status);
      expect(isOver(p)).toBe(isFinal(status));
    }
    expect(phaseOfRow({ status: 'bridged', on_hold: true })).toEqual({ kind: 'bridged', caller: { at: 'hold' } });
    expect(phaseOfRow({ status: 'bridged', on_hold: false })).toEqual({ kind: 'bridged', caller: { at: 'bridge' } });
  });
});

describe('a call session changes state only through to()', () => {
  const session = (status: CallStatus) => new CallSession('call', 'chan', null, 'en', [], phaseOfRow({ status, on_hold: false }), {} as CallSessionDeps);

  it('writes a change of status first, and refuses one nobody writes', () => {
    const s = session('queued');
    const writes: [CallStatus, CallStatus][] = [];
    s.to({ kind: 'ringing', answered: false }, (from, to) => writes.push([from, to]));
    expect(writes).toEqual([['queued', 'ringing']]);
    expect(s.status).toBe('ringing');
    expect(() => s.to({ kind: 'bridged', caller: { at: 'bridge' } })).toThrow(InvalidCallTransitionError);
    expect(s.phase).toEqual({ kind: 'ringing', answered: false });
  });

  it('leaves the phase as it was when the write fails', () => {
    const s = session('queued');
    expect(() => s.to({ kind: 'ringing', answered: false }, () => { throw new Error('refused'); })).toThrow('refused');
    expect(s.phase).toEqual({ kind: 'queued' });
  });

  it('refuses a change the table does not list, and changes data without a write', () => {
    const s = session('bridged');
    expect(() => s.to({ kind: 'ringing', answered: false }, () => undefined)).toThrow(InvalidCallTransitionError);
    s.to({ kind: 'bridged', caller: { at: 'hold' } });
    s.to({ kind: 'consulting', caller: { at: 'hold' }, colleague });
    expect(s.in('consulting')).toBe(true);
    expect(s.status).toBe('bridged');
  });

  it('says who asks for a code: the operator while the caller is at the code, else the IVR', () => {
    const s = session('bridged');
    expect(s.verification).toEqual({ method: 'ivr', operatorId: null });
    s.to({ kind: 'bridged', caller: { at: 'code', askedBy: 'op-1' } });
    expect(s.verification).toEqual({ method: 'operator', operatorId: 'op-1' });
    s.to({ kind: 'bridged', caller: { at: 'bridge' } });
    expect(s.verification.method).toBe('ivr');
  });

  it('records a callback asked in the IVR and a call the IVR ends, only while in the IVR', () => {
    const s = session('ivr');
    s.requestCallback();
    s.ivrEnds();
    expect(s.phase).toEqual({ kind: 'ivr', callbackAsked: true, endsAs: 'completed' });
    const q = session('queued');
    q.requestCallback();
    q.ivrEnds();
    expect(q.phase).toEqual({ kind: 'queued' });
  });

  it('wakes the IVR when the call starts ending: it finds the call over', async () => {
    const s = session('ivr');
    const digit = s.readDigit(60_000);
    const p = s.phase as LivePhase;
    s.to({ kind: 'ending', was: p, outcome: 'abandoned', by: 'caller' });
    await expect(digit).rejects.toBeInstanceOf(CallerGoneError);
    expect(s.over).toBe(true);
    expect(s.status).toBe('ivr');
    const written: CallStatus[] = [];
    s.to({ kind: 'ended', outcome: 'abandoned' }, (_from, to) => written.push(to));
    expect(written).toEqual(['abandoned']);
    await expect(s.readDigit(1)).rejects.toBeInstanceOf(CallerGoneError);
  });
});
