// What the call domain tells operator panels, through the panel notifier (src/panel): the call
// ringing an operator's phone, so their panel pops the caller before they answer.
import type { AssigneeRing } from './call-phase.js';

export interface PanelPort {
  /** `assignee`: they are rung first as the assignee of the caller's ticket (sticky routing): the pop says so. */
  ringing(operatorId: string, callId: string, assignee?: AssigneeRing): void;
  /** The ring ended without an answer (missed, caller gone), or the call ended. */
  callOver(operatorId: string, callId: string, how: 'answered' | 'missed' | 'ended'): void;
}

export const silentPanels: PanelPort = { ringing: () => undefined, callOver: () => undefined };
