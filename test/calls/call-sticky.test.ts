// Sticky routing's decisions (src/calls/call-sticky.ts), without a PBX or a database: whom a
// caller rings first, for how long, and what is never rung. The ring itself is the ACD's (a fake
// core here records it); test/calls/call-core-sticky.int.test.ts runs it through the call core.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { canPhaseTransition, type AssigneeRing, type CallPhase } from '../../src/calls/call-phase.js';
import { CallSession, type CallSessionDeps } from '../../src/calls/call-session.js';
import { avoidedAt, CallSticky, MISSED_ASSIGNEE_AVOID_SEC, rungAsAssignee, stickyTarget, type StickyCore, type StickyTicket } from '../../src/calls/call-sticky.js';
import { callbackStillAsked } from '../../src/calls/call-dispatch.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import type { OperatorRow } from '../../src/operators/operator.table.js';

const log = pino({ level: 'silent' });
const lines = new LineCatalog([
  { id: 'first', name: { ru: 'Первая', en: 'First' }, escalatesTo: 'second', escalationOnly: false, fallbackQueue: 'first-line', widenAfterSec: 5, stickyRingSec: 4 },
  { id: 'second', name: { ru: 'Вторая', en: 'Second' }, escalatesTo: null, escalationOnly: false, fallbackQueue: 'second-line', widenAfterSec: 5, stickyRingSec: 0 },
]);
const op = (id: string) => ({ id }) as OperatorRow;
const ticket = (assigneeId: string | null): StickyTicket => ({ id: '41', number: '100041', assigneeId });

function session(kind: 'ivr' | 'queued' = 'queued'): CallSession {
  const phase: CallPhase = kind === 'ivr' ? { kind: 'ivr', callbackAsked: false, endsAs: 'abandoned' } : { kind: 'queued' };
  return new CallSession(`call-${Math.random()}`, 'ch', '+79990000000', 'ru', [], phase, {} as CallSessionDeps);
}

/** The ACD's side: records rings (resolved, or refused with `fail`) and callers put in the line. */
function fakeCore(fail?: Error): StickyCore & { rings: { op: string; as: AssigneeRing }[]; joined: { line: string; rank: number }[] } {
  const rings: { op: string; as: AssigneeRing }[] = [];
  const joined: { line: string; rank: number }[] = [];
  return {
    rings,
    joined,
    ring: async (_s, o, _fromQueue, as) => {
      rings.push({ op: o.id, as });
      if (fail) throw fail;
    },
    joinQueue: (_s, line, rank) => void joined.push({ line, rank }),
  };
}

function sticky(available: string[], accountTicket: (id: string) => Promise<StickyTicket | undefined> = async () => undefined, busy = new Set<string>()) {
  return new CallSticky({ lines, busy, operators: { available: () => available.map(op) }, accountTicket, log });
}

describe('stickyTarget', () => {
  const known = (assigneeId: string | null, match: 'number' | 'keyed' | 'account' = 'number') => ({ kind: 'ticket' as const, ticket: ticket(assigneeId), match });

  it('rings the assignee when they are free on the line, for the line’s time, saying how the ticket is the caller’s', () => {
    expect(stickyTarget(known('a', 'number'), 4, [op('b'), op('a')])).toEqual({ operatorId: 'a', ring: { ticketId: '41', ticketNumber: '100041', match: 'number', ringSec: 4 } });
    expect(stickyTarget(known('a', 'account'), 4, [op('a')])?.ring.match).toBe('account');
  });

  it('rings nobody: the line has it off, the ticket has no assignee, the assignee is not free, nothing known, the caller decided already', () => {
    expect(stickyTarget(known('a'), 0, [op('a')])).toBeUndefined();
    expect(stickyTarget(known(null), 4, [op('a')])).toBeUndefined();
    expect(stickyTarget(known('a'), 4, [op('b')])).toBeUndefined();
    expect(stickyTarget(undefined, 4, [op('a')])).toBeUndefined();
    expect(stickyTarget({ kind: 'used' }, 4, [op('a')])).toBeUndefined();
    // A keyed number the call did not take (a claim): proves nothing, rings nobody first.
    expect(stickyTarget(known('a', 'keyed'), 4, [op('a')])).toBeUndefined();
  });
});

describe('CallSticky', () => {
  it('a keyed ticket the call took: its free assignee is rung first, once: the caller’s place is kept for the line', () => {
    const st = sticky(['b', 'a']);
    const s = session();
    const core = fakeCore();
    st.ticketKeyed(s, ticket('a'), 'number');
    expect(st.ringFirst(core, s, 'first', 1234)).toBe(true);
    expect(core.rings).toEqual([{ op: 'a', as: { ticketId: '41', ticketNumber: '100041', match: 'number', ringSec: 4 } }]);
    expect(s.rank).toBe(1234);
    // Back after a miss (or transferred): the line, never the assignee again.
    expect(st.ringFirst(core, s, 'first', 1234)).toBe(false);
    expect(core.rings).toHaveLength(1);
  });

  it('goes to the line when the assignee is busy or not available, the line has no sticky time, or the caller is verified as another account', () => {
    const core = fakeCore();
    const busy = sticky(['a'], undefined, new Set(['a']));
    const s1 = session();
    busy.ticketKeyed(s1, ticket('a'), 'number');
    expect(busy.ringFirst(core, s1, 'first', 1)).toBe(false);

    const st = sticky(['b']);
    const s2 = session();
    st.ticketKeyed(s2, ticket('a'), 'number');
    expect(st.ringFirst(core, s2, 'first', 1)).toBe(false);

    const on = sticky(['a']);
    const s3 = session();
    on.ticketKeyed(s3, ticket('a'), 'number');
    expect(on.ringFirst(core, s3, 'second', 1)).toBe(false); // stickyRingSec 0

    const s4 = session();
    on.ticketKeyed(s4, ticket('a'), 'conflict');
    expect(on.ringFirst(core, s4, 'first', 1)).toBe(false);
    expect(core.rings).toEqual([]);
  });

  it('a verified caller’s account ticket is looked up behind them; a keyed ticket wins over it, even one without an assignee', async () => {
    const asked: string[] = [];
    const lookup = async (id: string) => (asked.push(id), { id: '7', number: '100007', assigneeId: 'a' });
    const st = sticky(['a'], lookup);
    const core = fakeCore();

    const s1 = session('ivr');
    st.verified(s1, 'acc-1');
    await st.ready(s1); // what the call core waits for alongside the call's ticket
    s1.to({ kind: 'queued' }, () => undefined); // the IVR routed them
    expect(st.ringFirst(core, s1, 'first', 5)).toBe(true);
    expect(core.rings.at(-1)?.as).toEqual({ ticketId: '7', ticketNumber: '100007', match: 'account', ringSec: 4 });

    const s2 = session('ivr');
    st.verified(s2, 'acc-1');
    st.ticketKeyed(s2, ticket(null), 'keyed'); // keyed while the lookup runs: the call is about this ticket
    await st.ready(s2);
    s2.to({ kind: 'queued' }, () => undefined); // the IVR routed them
    expect(st.ringFirst(core, s2, 'first', 5)).toBe(false);

    const s3 = session('ivr');
    st.ticketKeyed(s3, ticket(null), 'keyed');
    st.verified(s3, 'acc-1'); // known already: not even asked
    expect(asked).toEqual(['acc-1', 'acc-1']);
    expect(core.rings).toHaveLength(1);
  });

  it('a lookup that answers after the caller joined the line rings nobody; one that fails leaves the caller to the line', async () => {
    let answer: (t: StickyTicket) => void = () => undefined;
    const st = sticky(['a'], () => new Promise((r) => (answer = r)));
    const core = fakeCore();
    const s = session('ivr');
    st.verified(s, 'acc-1');
    s.to({ kind: 'queued' }, () => undefined); // the IVR routed them
    expect(st.ringFirst(core, s, 'first', 5)).toBe(false);
    answer({ id: '7', number: '100007', assigneeId: 'a' });
    await new Promise((r) => setImmediate(r));
    expect(st.ringFirst(core, s, 'first', 5)).toBe(false);

    const down = sticky(['a'], async () => Promise.reject(new Error('Postgres away')));
    const s2 = session('ivr');
    down.verified(s2, 'acc-1');
    await down.ready(s2); // settles, failed or not
    s2.to({ kind: 'queued' }, () => undefined); // the IVR routed them
    expect(down.ringFirst(core, s2, 'first', 5)).toBe(false);
    expect(core.rings).toEqual([]);
  });

  it('an assignee who could not be rung: the caller joins the line at their place', async () => {
    const busy = new Set<string>();
    const st = sticky(['a'], undefined, busy);
    const core = fakeCore(new Error('no way from ending to ringing'));
    const s = session();
    st.ticketKeyed(s, ticket('a'), 'number');
    expect(st.ringFirst(core, s, 'first', 77)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(core.joined).toEqual([{ line: 'first', rank: 77 }]);
  });
});

describe('an assignee who missed their sticky ring (fake clock)', () => {
  const T0 = 1_000_000;

  it('is avoided for that caller for MISSED_ASSIGNEE_AVOID_SEC, then no more; other callers never', () => {
    const st = sticky(['a']);
    const s = session();
    const other = session();
    st.ticketKeyed(s, ticket('a'), 'number');
    expect(st.ringFirst(fakeCore(), s, 'first', 1)).toBe(true);
    expect(st.avoided(s, T0)).toEqual([]); // rung, not missed
    st.missed(s, 'a', T0);
    expect(st.avoided(s, T0 + 1)).toEqual(['a']);
    expect(st.avoided(s, T0 + MISSED_ASSIGNEE_AVOID_SEC * 1000 - 1)).toEqual(['a']);
    expect(st.avoided(s, T0 + MISSED_ASSIGNEE_AVOID_SEC * 1000)).toEqual([]);
    expect(st.avoided(other, T0 + 1)).toEqual([]);
    // Still decided: the line from now on, the assignee is not rung first again.
    expect(st.ringFirst(fakeCore(), s, 'first', 1)).toBe(false);
    expect(avoidedAt(undefined, T0)).toEqual([]);
    expect(avoidedAt({ kind: 'used' }, T0)).toEqual([]);
  });

  it('a ring the restart cancelled is offered to the assignee again, as the assignee, once', () => {
    const st = sticky(['b', 'a']);
    const s = session();
    const core = fakeCore();
    st.offerAgain(s, { ticketId: '41', ticketNumber: '100041', match: 'account', ringSec: 15 }, 'a');
    expect(st.ringFirst(core, s, 'first', 9)).toBe(true);
    expect(core.rings).toEqual([{ op: 'a', as: { ticketId: '41', ticketNumber: '100041', match: 'account', ringSec: 4 } }]);
    expect(st.avoided(s)).toEqual([]);
    expect(st.ringFirst(core, s, 'first', 9)).toBe(false);
  });
});

describe('a callback asked in the IVR, still pending (call-dispatch.ts)', () => {
  it('from the callback verb’s yes until the menu books or refuses', () => {
    expect(callbackStillAsked(['menu:main-menu=5', 'callback-offer:first=yes'])).toBe(true);
    expect(callbackStillAsked(['ticket:100041', 'callback-offer:first=yes', 'overflow:first'])).toBe(true);
    expect(callbackStillAsked(['callback-offer:first=no'])).toBe(false);
    expect(callbackStillAsked(['callback-offer:first=yes', 'callback:refused'])).toBe(false);
    expect(callbackStillAsked(['callback-offer:first=yes', 'callback:booked'])).toBe(false);
    expect(callbackStillAsked(['menu:main-menu=1'])).toBe(false);
    expect(callbackStillAsked([])).toBe(false);
  });
});

describe('the assignee’s ring in the phase table', () => {
  const ring: AssigneeRing = { ticketId: '41', ticketNumber: '100041', match: 'keyed', ringSec: 4 };

  it('is a ring like any other (back to the queue, answered, ended), whose miss pauses nobody', () => {
    const p: CallPhase = { kind: 'ringing', answered: false, assignee: ring };
    expect(canPhaseTransition({ kind: 'queued' }, p)).toBe(true);
    expect(canPhaseTransition(p, { kind: 'queued' })).toBe(true);
    expect(canPhaseTransition(p, { kind: 'ringing', answered: true })).toBe(true);
    expect(rungAsAssignee(p)).toBe(true);
    expect(rungAsAssignee({ kind: 'ringing', answered: false })).toBe(false);
    expect(rungAsAssignee({ kind: 'queued' })).toBe(false);
  });
});
