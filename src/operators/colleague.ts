// The colleague list of the panels (internal calls, issue 19): who is there, their extension and
// whether they can take a call now. Pure: the routes and the notifier share it.
import type { OperatorRow } from './operator.table.js';

/** What a colleague's phone is up to, as the panel shows it (fewer words than the ACD's states). */
export const COLLEAGUE_STATES = ['available', 'busy', 'paused', 'offline'] as const;
export type ColleagueState = (typeof COLLEAGUE_STATES)[number];

export interface Colleague {
  id: string;
  name: string;
  line: OperatorRow['line'];
  supervisor: boolean;
  extension: string | null;
  state: ColleagueState;
}

/** on a call, in wrap-up or talking to a colleague: busy; signed out stays offline whatever the phone does. */
export function colleagueState(state: OperatorRow['state'], inInternalCall: boolean): ColleagueState {
  if (state === 'offline') return 'offline';
  if (inInternalCall || state === 'on_call' || state === 'wrap_up') return 'busy';
  return state === 'paused' ? 'paused' : 'available';
}

export function colleagueOf(op: OperatorRow, inInternalCall: boolean): Colleague {
  return { id: op.id, name: op.name, line: op.line, supervisor: op.supervisor, extension: op.extension, state: colleagueState(op.state, inInternalCall) };
}
