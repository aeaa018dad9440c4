// Request Tracker 5 over REST2 (/REST/2.0). A call that ends creates a ticket in the configured
// queue (RT_QUEUE), or comments on an existing RT ticket: the one this pbxdesk ticket is linked
// to already, or the one whose number the caller keyed. The comment holds caller, verification,
// line, operator, duration and a link to the recording. Status and subject changes made in RT
// flow back by polling the linked tickets. Credentials come from RT_AUTH ("user:password", or
// "token:<RT auth token>"); the subscription's URL is RT's base URL.
import type { CallEventPayload } from '../calls/call-events.js';
import type { Connector, ConnectorContext, ConnectorTarget, RemoteChange, RemoteLink, SendResult } from './connector.js';
import { requestError } from './outbound-http.js';

/** Stored events are JSON of any age: every field may be missing. */
type CallPayload = Partial<CallEventPayload>;

/** RT's statuses as pbxdesk's (RT's lifecycle "default"). */
export const RT_STATUS: Record<string, string> = { new: 'new', open: 'open', stalled: 'pending_customer', resolved: 'resolved', rejected: 'closed', deleted: 'closed' };

function authHeader(auth: string | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.startsWith('token:')) return { authorization: `token ${auth.slice(6)}` };
  return { authorization: `Basic ${Buffer.from(auth).toString('base64')}` };
}

const minSec = (ms: number) => `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;

/** The comment (or first message) RT gets for a call. */
export function rtCallText(p: CallPayload, publicBaseUrl: string): string {
  const talk = p.answeredAt && p.endedAt ? minSec(Date.parse(p.endedAt) - Date.parse(p.answeredAt)) : 'not answered';
  const v = p.verification?.status === 'verified' ? `verified (account ${p.verification.accountId})` : p.verification?.status === 'failed' ? 'verification failed' : 'not verified';
  return [
    `Call ${p.callId} (pbxdesk)`,
    `Caller: ${p.callerNumber ?? 'unknown'}`,
    `Verification: ${v}`,
    `Line: ${p.line ?? '-'}`,
    `Operator: ${p.operator ? `${p.operator.name} (${p.operator.login})` : '-'}`,
    `Duration: ${talk}`,
    `Outcome: ${p.status ?? '-'}`,
    `Recording: ${p.recordingId ? `${publicBaseUrl.replace(/\/$/, '')}/api/recordings/${p.recordingId}/audio` : 'none'}`,
    ...(p.ticket ? [`pbxdesk ticket: #${p.ticket.number}`] : []),
  ].join('\n');
}

async function rt(target: Pick<ConnectorTarget, 'url' | 'timeoutMs'>, ctx: ConnectorContext, method: string, path: string, body?: unknown) {
  // Through the guarded client: RT's answers are copied into tickets, so RT must be where it says.
  const r = await ctx.http.request(`${target.url.replace(/\/$/, '')}/REST/2.0${path}`, {
    method,
    headers: { ...authHeader(ctx.settings.rt.auth), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
    timeoutMs: target.timeoutMs,
  });
  const text = r.text;
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: r.status, json: json as Record<string, unknown> | null };
}

async function remoteTicket(target: Pick<ConnectorTarget, 'url' | 'timeoutMs'>, ctx: ConnectorContext, id: string) {
  const r = await rt(target, ctx, 'GET', `/ticket/${encodeURIComponent(id)}`);
  return r.status === 200 && r.json ? { id: String(r.json.id), status: String(r.json.Status), subject: String(r.json.Subject) } : undefined;
}

async function sendCall(p: CallPayload, target: ConnectorTarget, ctx: ConnectorContext): Promise<SendResult> {
  if (!p.ticketId) return { ok: true, status: null, skipped: true };
  const text = rtCallText(p, ctx.settings.publicBaseUrl);
  const link = await ctx.links.find(p.ticketId);
  // Linked already, or the caller keyed the number of an RT ticket: comment there.
  let remoteId = link?.remoteId ?? null;
  if (!remoteId && p.keyedTicketNumber) remoteId = (await remoteTicket(target, ctx, p.keyedTicketNumber))?.id ?? null;
  if (remoteId) {
    const c = await rt(target, ctx, 'POST', `/ticket/${remoteId}/comment`, { Content: text, ContentType: 'text/plain' });
    if (c.status >= 300) return { ok: false, status: c.status, error: `RT comment on ${remoteId}: HTTP ${c.status}` };
    const now = await remoteTicket(target, ctx, remoteId);
    await ctx.links.save(p.ticketId, { id: remoteId, url: `${target.url.replace(/\/$/, '')}/Ticket/Display.html?id=${remoteId}`, ...(link ? {} : { status: now?.status ?? null, subject: now?.subject ?? null }) });
    return { ok: true, status: c.status };
  }
  const subject = p.ticket?.subject ?? `Call from ${p.callerNumber ?? 'an unknown number'}`;
  const c = await rt(target, ctx, 'POST', '/ticket', { Queue: ctx.settings.rt.queue, Subject: subject, Content: text, ContentType: 'text/plain' });
  if (c.status >= 300 || !c.json?.id) return { ok: false, status: c.status, error: `RT create: HTTP ${c.status}` };
  const id = String(c.json.id);
  await ctx.links.save(p.ticketId, { id, url: `${target.url.replace(/\/$/, '')}/Ticket/Display.html?id=${id}`, status: 'new', subject });
  return { ok: true, status: c.status };
}

export const connector: Connector = {
  name: 'rt5',
  events: ['call.ended'],
  linksTickets: true,
  async send(ev, target, ctx) {
    if (ev.type !== 'call.ended') return { ok: true, status: null, skipped: true };
    try {
      return await sendCall(ev.payload as CallPayload, target, ctx);
    } catch (err) {
      return { ok: false, status: null, error: `RT unreachable: ${requestError(err)}` };
    }
  },
  async poll(target, links: readonly RemoteLink[], ctx) {
    const changes: RemoteChange[] = [];
    for (const l of links) {
      if (!l.remoteId) continue;
      const now = await remoteTicket(target, ctx, l.remoteId).catch(() => undefined);
      if (!now) continue;
      const change: RemoteChange = { ticketId: l.ticketId };
      if (now.status !== l.remoteStatus && RT_STATUS[now.status]) change.status = RT_STATUS[now.status];
      if (now.subject !== l.remoteSubject) change.subject = now.subject;
      if (change.status !== undefined || change.subject !== undefined) {
        await ctx.links.save(l.ticketId, { id: l.remoteId, url: null, status: now.status, subject: now.subject });
        changes.push(change);
      }
    }
    return changes;
  },
};
