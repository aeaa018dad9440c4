// After every (re)connect to Asterisk: calls Postgres thinks are live are matched against the
// channels Asterisk has. Channels left in the app while we were away are taken back (ARI does
// not hand them over by itself); calls whose caller is gone are closed, never left open.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { RecordingService } from '../recordings/recording.service.js';
import { listActiveCalls } from './call.repository.js';
import type { CallRow, HangupBy } from './call.table.js';
import { isFallbackRow } from './fallback-calls.js';
import type { CallSession } from './call-session.js';
import type { CallPhase } from './call-phase.js';
import { endStatusOnCallerHangup, type FinalStatus } from './call-state-machine.js';
import type { CallbackCalls } from './callback-calls.js';
import { RING_CANCELLED_BY_RESTART } from './call-dispatch.js';
import { findLastAssigneeRing } from './call-sticky.repository.js';
import { NO_SKILLS } from '../queues/skills.js';
import type { HangupCause, PbxPort } from './pbx.port.js';

export interface ReclaimTarget {
  readonly busy: Set<string>;
  readonly waiting: { remove(id: string): void };
  readonly callbackCalls: CallbackCalls | undefined;
  liveSessions(): ReadonlyMap<string, CallSession>;
  track(call: CallRow): CallSession;
  forgetLeg(channelId: string): void;
  move(s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<unknown>;
  end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void>;
  enqueue(s: CallSession, line: Line): Promise<void>;
  joinQueue(s: CallSession, line: Line, rank: number): void;
  /** The call core's handling of a ring that ended unanswered (call-dispatch.ts), here for one the restart cancelled. */
  operatorMissed(s: CallSession, reason: string, pause?: boolean): Promise<void>;
  sweepRecordings(): Promise<void>;
  /** A fallback call (shed) of a previous instance whose caller is still in the dialplan's queue. */
  adoptFallback(row: CallRow): void;
}

export async function reclaimCalls(t: ReclaimTarget, d: { db: Db; pbx: PbxPort; log: Logger; node: string; lines: Pick<LineCatalog, 'front' | 'has'> }): Promise<void> {
  const channels = await d.pbx.listChannelIds();
  // Only this node's calls: another node's are not in this Asterisk and would look "gone".
  const active = await listActiveCalls(d.db, d.node);
  for (const call of active) {
    const known = t.liveSessions().get(call.id);
    // A click-to-call not yet talking cannot be picked up again: nobody waits in a line for it,
    // only phones ring. Both legs go and it ends unanswered; the operator calls again.
    if (call.direction === 'outbound' && call.status !== 'bridged') {
      if (known) continue;
      for (const ch of [call.operator_channel_id, call.caller_channel_id]) if (ch && channels.has(ch)) await d.pbx.hangup(ch).catch(() => undefined);
      await t.end(t.track(call), 'unanswered', { code: 0, text: 'click-to-call not yet answered when the service restarted' }, 'system');
      continue;
    }
    // A callback's call: its own rules (the attempt counts or the placeholder goes back) until
    // the customer is on the line; after that (customer-first, waiting) it is a caller like any other.
    const customerOnLine = call.status !== 'dialling' && channels.has(call.caller_channel_id);
    if (call.callback_id && call.status !== 'bridged' && !customerOnLine) {
      if (!known && t.callbackCalls) await t.callbackCalls.reclaim(call, t.track(call), channels);
      continue;
    }
    // In the dialplan's queue, not the app: its end comes as an AMI event, as for any shed call.
    if (isFallbackRow(call) && channels.has(call.caller_channel_id)) {
      if (!known) t.adoptFallback(call);
      continue;
    }
    if (!channels.has(call.caller_channel_id)) {
      const s = known ?? t.track(call);
      t.waiting.remove(call.id);
      const to = endStatusOnCallerHangup(s.status);
      // Asterisk restarted, or the caller hung up while nobody listened to ARI.
      await t.end(s, to, { code: 0, text: 'Channel gone while the service was disconnected from Asterisk' }, 'system');
      continue;
    }
    if (known) continue;
    const s = t.track(call);
    s.requiredSkills = call.required_skills ?? NO_SKILLS; // skills routing: what the IVR's route asked (migration 0028)
    d.log.info({ callId: call.id, status: call.status }, 'reclaiming call');
    if (call.status === 'bridged') {
      if (s.operatorId) t.busy.add(s.operatorId);
      continue;
    }
    if (call.status === 'ringing') {
      // Rung as their ticket's assignee (sticky routing): the ring's reason is in its transition.
      // The ring is cancelled either way; an assignee's is offered to them again as theirs
      // (call-dispatch.ts operatorMissed), not as an ordinary ring whose miss would pause them.
      const asAssignee = s.operatorId ? await findLastAssigneeRing(d.db, call.id).catch(() => undefined) : undefined;
      if (s.operatorChannelId) {
        t.forgetLeg(s.operatorChannelId);
        await d.pbx.hangup(s.operatorChannelId);
      }
      if (asAssignee && asAssignee.operatorId === s.operatorId && s.line && d.lines.has(s.line)) {
        s.to({ kind: 'ringing', answered: false, assignee: asAssignee.ring }); // the phase's data only: the row is ringing already
        s.rank = (call.queued_at ?? call.entered_at).getTime();
        await d.pbx.startMoh(s.callerChannelId).catch(() => undefined);
        await t.operatorMissed(s, RING_CANCELLED_BY_RESTART, false);
        continue;
      }
      s.operatorId = null;
      s.operatorChannelId = null;
      await t.move(s, { kind: 'queued' }, { operator_id: null, operator_channel_id: null }, { reclaimed: true });
    }
    // The IVR cannot resume mid-prompt: a reclaimed caller goes to the front line (the first
    // configured line callers can reach), as a caller the flow has nowhere for does.
    if (s.phase.kind === 'ivr') {
      await t.enqueue(s, d.lines.front());
      continue;
    }
    await d.pbx.startMoh(s.callerChannelId).catch(() => undefined);
    // Their place is when they first queued: reclaimed callers keep their order.
    // Their line, or the front line when they had none or theirs is no longer configured.
    t.joinQueue(s, s.line && d.lines.has(s.line) ? s.line : d.lines.front(), (call.queued_at ?? call.entered_at).getTime());
  }
  await t.sweepRecordings();
}

/** Archives what recordings of calls no longer live were left unarchived (a crash, the fallback queue). */
export async function sweepOrphanedRecordings(db: Db, node: string, recordings: RecordingService, log: Logger, filesToo = true): Promise<void> {
  const live = new Set((await listActiveCalls(db, node)).map((c) => c.id));
  const swept = await recordings.sweep(live, filesToo);
  if (swept) log.info({ swept }, 'orphaned recordings queued for archiving');
}
