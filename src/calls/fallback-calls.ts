// Callers the dialplan's fallback path took (the service shedding load, or the app away while
// AMI still listened): Asterisk queued and recorded them without the app, and its UserEvents
// (extensions.conf) tell the service, which writes them behind like any call: a row with its
// transitions, a ticket, the MixMonitor recording on the call. So every caller is accounted for
// in Postgres, whichever path answered them.
import type { Logger } from 'pino';
import type { RecordingService } from '../recordings/recording.service.js';
import type { CallLedger } from './call-ledger.js';
import { newCallRow } from './call-ledger.js';
import type { CallRow } from './call.table.js';
import type { Line } from '../vocabulary.js';
import type { LineCatalog } from '../lines/line-catalog.js';

export interface FallbackCallDeps {
  ledger: CallLedger;
  recordings: RecordingService;
  log: Logger;
  node: string;
  defaultLanguage: 'ru' | 'en';
  /** The operator whose phone (PJSIP endpoint) answered, when Postgres can tell. */
  operatorOf: (endpoint: string) => Promise<string | null>;
  /** A new ticket for the caller. */
  ticketFor: (caller: string | null) => Promise<string>;
  /** The configured lines: a row starts on the front line (the first callers can reach). */
  lines: Pick<LineCatalog, 'front'>;
}


/** A row the fallback path made: the dialplan, not the app, has its channel. */
export const isFallbackRow = (row: CallRow) => row.ivr_path[0] === 'shed' || row.ivr_path[0] === 'fallback';

/** The fallback's MixMonitor file (extensions.conf), in the recording spool. */
export const fallbackRecordingName = (channelId: string) => `fallback-${channelId}`;

export class FallbackCalls {
  private readonly live = new Map<string, { callId: string; recordingId: string; caller: string | null; queuedAt: number; line: Line | null }>();

  constructor(private readonly d: FallbackCallDeps) {}

  /** A fallback call of a previous instance, still up after a restart (reclaim): its end is ours to write. */
  adopt(row: CallRow): void {
    this.d.ledger.adopt(row);
    this.live.set(row.caller_channel_id, { callId: row.id, recordingId: row.recording_id ?? '', caller: row.caller_number, queuedAt: (row.queued_at ?? row.entered_at).getTime(), line: row.line });
  }

  started(e: { channelId: string; caller: string | null; dialled: string | null; shed: boolean }): void {
    if (!e.channelId || this.live.has(e.channelId)) return;
    const line = this.d.lines.front();
    const row = this.d.ledger.insert(
      newCallRow({
        caller_number: e.caller, dialled_number: e.dialled, language: this.d.defaultLanguage, status: 'queued', line,
        queued_at: new Date(), caller_channel_id: e.channelId, pbx_node: this.d.node, ivr_path: [e.shed ? 'shed' : 'fallback'],
      }),
    );
    const rec = this.d.recordings.planned(row.id, fallbackRecordingName(e.channelId));
    this.d.ledger.recording(row.id, rec);
    this.d.ledger.update(row.id, { recording_id: rec.id });
    this.live.set(e.channelId, { callId: row.id, recordingId: rec.id, caller: e.caller, queuedAt: Date.now(), line });
  }

  async ended(e: { channelId: string; line: Line; memberEndpoint: string | null; holdSec: number | null; cause: number }): Promise<void> {
    const c = this.live.get(e.channelId);
    if (!c) return;
    this.live.delete(e.channelId);
    const operatorId = e.memberEndpoint ? await this.d.operatorOf(e.memberEndpoint).catch(() => null) : null;
    const ticketId = await this.d.ticketFor(c.caller).catch((err: Error) => {
      this.d.log.warn({ callId: c.callId, err: err.message }, 'fallback call without a ticket');
      return null;
    });
    if (ticketId) this.d.ledger.update(c.callId, { ticket_id: ticketId });
    // The row starts on the front line (the start event comes before the caller's choice).
    if (e.line !== c.line) this.d.ledger.update(c.callId, { line: e.line });
    const end = { ended_at: new Date(), hangup_cause: `fallback (cause ${e.cause})`, hangup_cause_code: e.cause, hangup_by: 'caller' as const };
    if (e.memberEndpoint) {
      this.d.ledger.transition(c.callId, 'queued', 'ringing', { operator_id: operatorId }, { fallback: true, endpoint: e.memberEndpoint });
      const answeredAt = e.holdSec !== null ? new Date(c.queuedAt + e.holdSec * 1000) : new Date();
      this.d.ledger.transition(c.callId, 'ringing', 'bridged', { answered_at: answeredAt }, { fallback: true });
      this.d.ledger.transition(c.callId, 'bridged', 'completed', end, { fallback: true });
    } else {
      this.d.ledger.transition(c.callId, 'queued', 'abandoned', end, { fallback: true });
    }
    // MixMonitor closed the file with the channel and sends no RecordingFinished: archive it.
    if (c.recordingId) this.d.recordings.callEnded(c.recordingId, 3000);
    this.d.log.info({ callId: c.callId, operatorId, answered: Boolean(e.memberEndpoint) }, 'fallback call accounted for');
  }
}
