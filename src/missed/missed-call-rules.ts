// Which ended calls make the missed-calls worklist and which clear it. Pure: the follower feeds
// it the transitions the call ledger wrote, and unit tests run it without a database.
//
// - Missed: a caller who hung up in the queue (`abandoned` with a queue time; ringing an operator
//   counts, they were still waiting) or whose call ended in a voicemail without an operator
//   (after hours, or the queue overflowing into one). Callback calls never count: that is us
//   dialling them.
// - Reached: a call of the number bridged to an operator (it got through), or a callback call
//   to it bridged (called back). It clears that line's entry of the number when it came at or
//   after the entry's last missed call.
// Numbers are compared in E.164 (callback-number.ts reads them as a callback would), so that
// 8 912 …, 7912 … and +7 912 … of one Russian number are one caller.
import { toE164 } from '../callbacks/callback-number.js';
import type { Line } from '../vocabulary.js';
import { lineSeesTicket } from '../tickets/ticket-rules.js';

export const MISSED_REASONS = ['abandoned', 'voicemail'] as const;
export type MissedReason = (typeof MISSED_REASONS)[number];
export const MISSED_STATUSES = ['open', 'booked', 'cleared'] as const;
export type MissedStatus = (typeof MISSED_STATUSES)[number];
export const CLEARED_REASONS = ['answered', 'called-back'] as const;
export type ClearedReason = (typeof CLEARED_REASONS)[number];

/** A call's transition as the follower reads it: a call_events row with its call's fields. */
export interface CallTransition {
  eventId: string;
  to: string;
  at: Date;
  callId: string;
  callerNumber: string | null;
  line: Line | null;
  ivrPath: readonly string[];
  queuedAt: Date | null;
  answeredAt: Date | null;
  callbackId: string | null;
  ticketId: string | null;
}

export interface Missed {
  line: Line;
  number: string;
  reason: MissedReason;
  callId: string;
  at: Date;
  waitedSec: number;
  ticketId: string | null;
}

export interface Reached {
  line: Line;
  number: string;
  at: Date;
  how: ClearedReason;
}

/**
 * The number a caller is known by in the worklist: E.164 when it is a valid number in the
 * callback region's reading, else its digits (an internal extension, a malformed caller ID);
 * null when there is nothing to call back (withheld, anonymous).
 */
export function numberKey(raw: string | null, defaultRegion: string): string | null {
  if (!raw) return null;
  const e164 = toE164(raw, defaultRegion);
  if (e164) return e164;
  const digits = raw.replace(/\D/g, '');
  return digits.length >= 3 && /^\+?[0-9 ().-]+$/.test(raw.trim()) ? digits : null;
}

/**
 * The line a closed line's voicemail belongs to: the IVR's `hours:<line>=closed` step. Any line
 * id (LINE_ID_PATTERN): the IVR wrote only lines configured then, and one removed since still
 * had its caller miss it.
 */
function closedLine(path: readonly string[]): Line | null {
  for (const step of path) {
    const m = /^hours:([a-z][a-z0-9-]{0,31})=closed$/.exec(step);
    if (m) return m[1] as Line;
  }
  return null;
}

export function classify(t: CallTransition, defaultRegion: string): Missed | Reached | null {
  const number = numberKey(t.callerNumber, defaultRegion);
  if (!number) return null;
  if (t.to === 'bridged') {
    return t.line ? { line: t.line, number, at: t.at, how: t.callbackId ? 'called-back' : 'answered' } : null;
  }
  if (t.callbackId) return null;
  const waitedSec = t.queuedAt ? Math.max(0, Math.round((t.at.getTime() - t.queuedAt.getTime()) / 1000)) : 0;
  if (t.to === 'abandoned') {
    if (!t.queuedAt || !t.line) return null; // hung up in the IVR: never waited for anyone
    return { line: t.line, number, reason: 'abandoned', callId: t.callId, at: t.at, waitedSec, ticketId: t.ticketId };
  }
  if (t.to === 'completed' && t.answeredAt === null && t.ivrPath.includes('voicemail')) {
    const line = t.line ?? closedLine(t.ivrPath);
    return line ? { line, number, reason: 'voicemail', callId: t.callId, at: t.at, waitedSec, ticketId: t.ticketId } : null;
  }
  return null;
}

export function isReached(f: Missed | Reached): f is Reached {
  return 'how' in f;
}

/**
 * One look's work: the missed calls, then what reached each (line, number) latest. Missed calls
 * are applied first, so a number that missed and then got through within the same look ends
 * cleared, and one that got through and then missed again ends open.
 */
export function planPass(ts: readonly CallTransition[], defaultRegion: string): { missed: Missed[]; reached: Reached[] } {
  const missed: Missed[] = [];
  const reached = new Map<string, Reached>();
  for (const t of ts) {
    const f = classify(t, defaultRegion);
    if (!f) continue;
    if (!isReached(f)) {
      missed.push(f);
      continue;
    }
    const key = `${f.line} ${f.number}`;
    const prev = reached.get(key);
    if (!prev || prev.at < f.at) reached.set(key, f);
  }
  return { missed, reached: [...reached.values()] };
}

/** Whether a reach clears an entry (the SQL of clearReached says the same). */
export function clears(entry: { line: Line; number: string; lastAt: Date; status: MissedStatus }, r: Reached): boolean {
  return entry.status !== 'cleared' && entry.line === r.line && entry.number === r.number && entry.lastAt <= r.at;
}

/** MISSED_CALLS_AUTO_CALLBACK_SEC: an abandoned caller who waited longer gets a callback booked (0: off). */
export function shouldAutoBook(m: Missed, afterSec: number): boolean {
  return afterSec > 0 && m.reason === 'abandoned' && m.waitedSec > afterSec;
}

/**
 * Who may see and call back a line's missed calls: admins, supervisors, the operators serving the
 * line (`lines`, the served lines; absent: the home line only).
 */
export function mayFollowUp(actor: { role: string; line: Line | null; lines?: readonly Line[] }, line: Line): boolean {
  if (actor.role === 'admin' || actor.role === 'supervisor' || actor.role === 'system') return true;
  // An entry is on its line only, never escalated: the line rule of tickets with nothing escalated.
  return actor.role === 'operator' && lineSeesTicket(actor.lines ?? actor.line, { line, escalated: false, escalated_lines: [] });
}
