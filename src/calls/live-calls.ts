// The live calls of this instance, in one place: their sessions, which channel is which leg of
// which call, the lines' waiting lists, and the operators rung or talking. CallService and its
// helpers (the ACD, consults, overflow, callbacks, reclaim) all read and change this one
// object; none keeps a copy of its own.
import { WaitingLists } from '../queues/waiting-list.js';
import type { CallSession } from './call-session.js';

export type LegKind = 'caller' | 'operator' | 'consult';

export class LiveCalls {
  private readonly sessions = new Map<string, CallSession>();
  private readonly legs = new Map<string, { callId: string; leg: LegKind }>();
  readonly waiting = new WaitingLists();
  /** Operators ringing or talking: not offered another call. */
  readonly busy = new Set<string>();

  session(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  /** A session and its legs (its caller's channel, and its operator's when it has one). */
  add(s: CallSession): void {
    this.sessions.set(s.callId, s);
    this.legs.set(s.callerChannelId, { callId: s.callId, leg: 'caller' });
    if (s.operatorChannelId) this.legs.set(s.operatorChannelId, { callId: s.callId, leg: 'operator' });
  }

  /** The call is over: its session and its legs go. */
  remove(s: CallSession): void {
    this.sessions.delete(s.callId);
    this.legs.delete(s.callerChannelId);
    if (s.operatorChannelId) this.legs.delete(s.operatorChannelId);
  }

  all(): ReadonlyMap<string, CallSession> {
    return this.sessions;
  }

  setLeg(channelId: string, callId: string, leg: LegKind): void {
    this.legs.set(channelId, { callId, leg });
  }

  legOf(channelId: string): { callId: string; leg: LegKind } | undefined {
    return this.legs.get(channelId);
  }

  forgetLeg(channelId: string): void {
    this.legs.delete(channelId);
  }
}
