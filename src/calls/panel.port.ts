// What the call domain tells operator panels, through the panel notifier (src/panel): the call
// ringing an operator's phone, so their panel pops the caller before they answer.
export interface PanelPort {
  ringing(operatorId: string, callId: string): void;
  /** The ring ended without an answer (missed, caller gone), or the call ended. */
  callOver(operatorId: string, callId: string, how: 'answered' | 'missed' | 'ended'): void;
}

export const silentPanels: PanelPort = { ringing: () => undefined, callOver: () => undefined };
