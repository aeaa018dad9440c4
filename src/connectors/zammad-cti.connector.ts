// Zammad's generic CTI push API (docs.zammad.org, api/generic-cti): newCall, answer and hangup,
// as JSON POSTed to the integration's endpoint (https://<zammad>/api/v1/cti/<token>; the token
// in the URL is the authentication). Zammad's caller log and screen pop then work unchanged.
// Only call events mean anything to it; the rest are skipped.
import type { CallEventPayload } from '../calls/call-events.js';
import { post, type Connector } from './connector.js';

/** Stored events are JSON of any age: every field may be missing. */
type CallPayload = Partial<CallEventPayload>;

/** Zammad's hangup causes, from how the call ended here. */
const CAUSES: Record<string, string> = {
  completed: 'normalClearing',
  abandoned: 'cancel',
  callback: 'cancel',
  unanswered: 'noAnswer',
  failed: 'congestion',
};

export function zammadPayload(type: string, p: CallPayload): Record<string, unknown> | null {
  // Outbound (click-to-call): Zammad's caller log wants the customer as `to`.
  const base = p.direction === 'outbound'
    ? { from: p.dialledNumber ?? '', to: p.callerNumber ?? '', direction: 'out', callId: p.callId }
    : { from: p.callerNumber || 'anonymous', to: p.dialledNumber ?? '', direction: 'in', callId: p.callId };
  switch (type) {
    case 'call.started':
      return { event: 'newCall', ...base, ...(p.line ? { queue: p.line } : {}) };
    case 'call.answered':
      return { event: 'answer', ...base, ...(p.operator ? { user: p.operator.name, answeringNumber: p.operator.login } : {}) };
    case 'call.ended':
      return { event: 'hangup', ...base, cause: CAUSES[p.status ?? ''] ?? 'normalClearing', ...(p.operator ? { answeringNumber: p.operator.login } : {}) };
    default:
      return null;
  }
}

export const connector: Connector = {
  name: 'zammad-cti',
  events: ['call.started', 'call.answered', 'call.ended'],
  async send(ev, target, ctx) {
    const body = zammadPayload(ev.type, ev.payload as CallPayload);
    if (!body) return { ok: true, status: null, skipped: true };
    return post(ctx, target, { 'content-type': 'application/json', 'user-agent': 'pbxdesk-cti/1' }, JSON.stringify(body));
  },
};
