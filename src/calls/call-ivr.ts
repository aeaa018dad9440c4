// What a call's IVR needs beyond prompts and digits: tickets keyed by number, one-time codes,
// business hours, voicemail. Built once and handed to every CallSession.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { isOpen, type BusinessHours } from '../lines/business-hours.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { VerificationService } from '../verification/verification.service.js';
import { updateCall } from './call.repository.js';
import type { CallSession, CallSessionDeps } from './call-session.js';
import type { CallTickets } from './call-tickets.js';
import type { PbxPort } from './pbx.port.js';

export class CallIvr {
  constructor(
    private readonly d: {
      db: Kysely<Database>;
      pbx: PbxPort;
      recordings: RecordingService;
      verification: VerificationService;
      businessHours: () => BusinessHours;
      callTickets: CallTickets;
      log: Logger;
      settings: { promptsDir: string };
      onIvrStep: (ms: number) => void;
    },
  ) {}

  sessionDeps(): CallSessionDeps {
    return {
      db: this.d.db,
      pbx: this.d.pbx,
      promptsDir: this.d.settings.promptsDir,
      onIvrStep: this.d.onIvrStep,
      attachTicket: (s, keyed) => this.d.callTickets.attach(s, keyed),
      verifyCode: (s, code) => this.verifyCode(s, code),
      verifyTriesLeft: (s) => this.d.verification.triesLeft(s.callId),
      isLineOpen: (line) => isOpen(this.d.businessHours()[line], new Date()),
      startVoicemail: (s, maxSec) => this.startVoicemail(s, maxSec),
    };
  }

  private async verifyCode(s: CallSession, code: string): Promise<{ outcome: string; triesLeft: number }> {
    const r = await this.d.verification.check({
      callId: s.callId,
      ticketId: s.ticketId,
      callerNumber: s.callerNumber,
      code,
      method: s.verification.method,
      operatorId: s.verification.operatorId,
    });
    if (r.outcome === 'verified') s.verifiedAccountId = r.accountId;
    return r;
  }

  /** A voicemail: a recording of the caller's channel, on the call (and so on its ticket). */
  private async startVoicemail(s: CallSession, maxSec: number): Promise<string> {
    const name = `voicemail-${s.callId}`;
    await this.d.callTickets.ensure(s);
    const rec = await this.d.recordings.started(this.d.db, s.callId, name, 'voicemail');
    s.recordingId = rec.id;
    await updateCall(this.d.db, s.callId, { recording_id: rec.id });
    await this.d.pbx.recordChannel(s.callerChannelId, name, maxSec);
    this.d.log.info({ callId: s.callId, recordingId: rec.id }, 'voicemail recording');
    return name;
  }
}
