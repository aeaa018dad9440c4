// PbxPort over ARI. Translates Asterisk's events into the domain's PbxEvents and its
// REST calls into the port's methods. Nothing outside src/pbx/ sees ARI.
import type { Logger } from 'pino';
import type { DialRequest, PbxEvent, PbxPort } from '../calls/pbx.port.js';
import { PbxUnavailableError } from '../errors.js';
import type { AriConnection, AriSettings } from './ari-connection.js';
import { seg, type AriRest } from './ari-rest.js';
import { deleteExtensionEndpoint, endpointFingerprint, listOperatorEndpointIds, pushOperatorEndpoint, type ProvisionedEndpoint } from './endpoint-push.js';
import { AriMonitors, type MonitorMode } from './ari-monitor.js';
import { SnoopStarts } from './snoop-start.js';

interface AriChannel {
  id: string;
  caller?: { number?: string };
  dialplan?: { exten?: string };
  language?: string;
}

interface AriEvent {
  type: string;
  timestamp?: string;
  args?: string[];
  channel?: AriChannel;
  digit?: string;
  cause?: number;
  cause_txt?: string;
  playback?: { id: string };
  recording?: { name: string; cause?: string };
}

/** The ARI events translate() turns into PbxEvents; keep the two in step. */
const TRANSLATED_EVENTS = ['StasisStart', 'StasisEnd', 'ChannelDestroyed', 'ChannelHangupRequest', 'ChannelDtmfReceived', 'PlaybackFinished', 'RecordingFinished', 'RecordingFailed'] as const;

export class AriPbxAdapter implements PbxPort {
  /** Snoop channels (leg recordings, monitoring) waiting for their StasisStart. */
  private readonly snoops = new SnoopStarts();
  private readonly handlers: ((e: PbxEvent) => void)[] = [];
  /** Q.850 cause from ChannelHangupRequest, kept until StasisEnd, which carries none. */
  private readonly hangupCauses = new Map<string, number>();
  private readonly monitors: AriMonitors;

  constructor(private readonly conn: AriConnection, private readonly s: AriSettings, private readonly log: Logger) {
    this.monitors = new AriMonitors(() => this.client(), s.app, this.snoops, log, (monitorId) => this.handler({ type: 'monitorEnded', monitorId }));
    // Exactly the types translate() acts on: Asterisk leaves out the rest (ari-connection.ts).
    conn.onlyEvents(TRANSLATED_EVENTS);
    conn.on('event', (e: AriEvent) => this.translate(e));
    conn.on('connected', (reconnect: boolean) => this.handler({ type: 'connected', reconnect }));
    conn.on('disconnected', () => this.handler({ type: 'disconnected' }));
  }

  onEvent(handler: (e: PbxEvent) => void): void {
    this.handlers.push(handler);
  }

  private handler(e: PbxEvent): void {
    for (const h of this.handlers) h(e);
  }

  isConnected(): boolean {
    return this.conn.isConnected();
  }

  private translate(e: AriEvent): void {
    const ch = e.channel;
    this.log.trace({ type: e.type, channelId: ch?.id }, 'ARI event');
    switch (e.type) {
      case 'StasisStart': {
        if (!ch) return;
        const [kind, callId] = e.args ?? [];
        if (this.monitors.stasisStart(kind, ch.id)) return;
        if (kind === 'inbound') {
          this.handler({
            type: 'inbound',
            channel: {
              channelId: ch.id,
              callerNumber: ch.caller?.number || null,
              dialledNumber: ch.dialplan?.exten || null,
              language: ch.language || null,
              // "2026-11-23T03:05:00.429+0000": Date.parse wants the offset with a colon.
              stasisAt: e.timestamp ? Date.parse(e.timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) || undefined : undefined,
            },
          });
        } else if (kind === 'consult' && callId) {
          this.handler({ type: 'consultAnswered', callId, channelId: ch.id });
        } else if (kind === 'operator' && callId) {
          this.handler({ type: 'operatorAnswered', callId, channelId: ch.id });
        } else if (kind === 'customer' && callId) {
          this.handler({ type: 'customerAnswered', callId, channelId: ch.id });
        } else if (kind === 'leg') {
          this.snoops.started(ch.id);
        }
        return;
      }
      case 'ChannelDtmfReceived':
        if (ch && e.digit) this.handler({ type: 'dtmf', channelId: ch.id, digit: e.digit });
        return;
      case 'ChannelHangupRequest':
        // A BYE from the far end arrives without a cause: PJSIP treats it as normal clearing.
        if (ch) this.hangupCauses.set(ch.id, e.cause ?? 16);
        return;
      // An app stops hearing about a channel once it leaves Stasis: a caller who hangs up
      // mid-bridge gives StasisEnd and never ChannelDestroyed. A rung operator's channel
      // that never answered was not in Stasis yet and gives only ChannelDestroyed.
      // The call service takes the first of the two and ignores the other.
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        if (!ch) return;
        if (this.monitors.gone(ch.id)) return;
        const code = e.cause ?? this.hangupCauses.get(ch.id) ?? 0;
        this.hangupCauses.delete(ch.id);
        this.handler({ type: 'channelGone', channelId: ch.id, cause: { code, text: e.cause_txt ?? causeText(code) } });
        return;
      }
      case 'PlaybackFinished':
        if (e.playback) this.handler({ type: 'playbackFinished', playbackId: e.playback.id });
        return;
      case 'RecordingFinished':
        if (e.recording) this.handler({ type: 'recordingFinished', name: e.recording.name });
        return;
      case 'RecordingFailed':
        if (e.recording) {
          this.handler({ type: 'recordingFailed', name: e.recording.name, cause: e.recording.cause ?? 'unknown' });
        }
        return;
      default:
        return;
    }
  }

  private client(): AriRest {
    const c = this.conn.current();
    if (!c) throw new PbxUnavailableError('ARI');
    return c;
  }

  async answer(channelId: string): Promise<void> {
    await this.client().post(`/channels/${seg(channelId)}/answer`);
  }

  async play(channelId: string, playbackId: string, media: string[]): Promise<void> {
    await this.client().post(`/channels/${seg(channelId)}/play`, { media, playbackId });
  }

  async stopPlayback(playbackId: string): Promise<void> {
    // A playback that already ended answers 404: that is the outcome we wanted.
    await this.client().delete(`/playbacks/${seg(playbackId)}`).catch(ignoreNotFound);
  }

  async startMoh(channelId: string): Promise<void> {
    await this.client().post(`/channels/${seg(channelId)}/moh`, { mohClass: 'default' });
  }

  async stopMoh(channelId: string): Promise<void> {
    await this.client().delete(`/channels/${seg(channelId)}/moh`).catch(ignoreNotFound);
  }

  async dial(req: DialRequest): Promise<void> {
    await this.client().post('/channels', {
      endpoint: `PJSIP/${req.endpoint}`,
      channelId: req.channelId,
      app: this.s.app,
      appArgs: `${req.purpose ?? 'operator'},${req.callId}`,
      callerId: req.callerId,
      timeout: req.timeoutSec,
    });
  }

  async dialOut(req: { dialString: string; channelId: string; callId: string; callerId: string; timeoutSec: number }): Promise<void> {
    // An originated channel enters Stasis only once answered: a no-answer or busy shows up
    // as ChannelDestroyed with its cause (19, 17), which the call service turns into the outcome.
    await this.client().post('/channels', {
      endpoint: req.dialString,
      channelId: req.channelId,
      app: this.s.app,
      appArgs: `customer,${req.callId}`,
      callerId: req.callerId,
      timeout: req.timeoutSec,
    });
  }

  async createBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    const c = this.client();
    await c.post('/bridges', { type: 'mixing', bridgeId, name: `bridge-${bridgeId}` });
    if (channelIds.length) await c.post(`/bridges/${seg(bridgeId)}/addChannel`, { channel: channelIds });
  }

  async recordBridge(bridgeId: string, recordingName: string): Promise<void> {
    await this.client().post(`/bridges/${seg(bridgeId)}/record`, { name: recordingName, format: 'wav', ifExists: 'fail', beep: false });
  }

  async recordChannel(channelId: string, recordingName: string, maxSec: number): Promise<void> {
    // terminateOn '#': the caller ends their message; maxSilenceSeconds: a caller who walked away.
    await this.client().post(`/channels/${seg(channelId)}/record`, {
      name: recordingName,
      format: 'wav',
      maxDurationSeconds: maxSec,
      maxSilenceSeconds: 10,
      beep: true,
      terminateOn: '#',
      ifExists: 'fail',
    });
  }

  async recordLeg(channelId: string, recordingName: string): Promise<void> {
    // A channel in a bridge cannot be recorded by itself through ARI; a snoop channel that
    // spies on what the party sends ('in') can. The snoop enters our app with the args 'leg',
    // which the translation above ignores, and goes away with the channel it spies on.
    const c = this.client();
    const snoopId = `snoop-${recordingName}`;
    await this.snoops.start(snoopId, () => c.post(`/channels/${seg(channelId)}/snoop/${seg(snoopId)}`, { app: this.s.app, appArgs: 'leg', spy: 'in' }));
    await c.post(`/channels/${seg(snoopId)}/record`, { name: recordingName, format: 'wav', ifExists: 'fail', beep: false, maxDurationSeconds: 0, maxSilenceSeconds: 0 });
  }

  async monitor(req: { monitorId: string; channelId: string; endpoint: string; mode: MonitorMode; callerId: string }): Promise<void> {
    await this.monitors.start(req);
  }

  async stopMonitor(monitorId: string): Promise<void> {
    await this.monitors.stop(monitorId);
  }

  async pauseRecording(recordingName: string): Promise<void> {
    await this.client().post(`/recordings/live/${seg(recordingName)}/pause`);
  }

  async unpauseRecording(recordingName: string): Promise<void> {
    await this.client().delete(`/recordings/live/${seg(recordingName)}/pause`).catch(ignoreNotFound);
  }

  async bridgeAndRecord(bridgeId: string, channelIds: string[], recordingName: string): Promise<void> {
    const c = this.client();
    await c.post('/bridges', { type: 'mixing', bridgeId, name: `call-${recordingName}` });
    await c.post(`/bridges/${seg(bridgeId)}/addChannel`, { channel: channelIds });
    // format wav: slin at 8 kHz. ifExists=fail: a name clash must never overwrite evidence.
    await c.post(`/bridges/${seg(bridgeId)}/record`, { name: recordingName, format: 'wav', ifExists: 'fail', beep: false });
  }

  async destroyBridge(bridgeId: string, recordingName?: string | null): Promise<void> {
    // A recording that cannot be stopped (gone already, Asterisk busy) must not keep the bridge up.
    if (recordingName) await this.client().post(`/recordings/live/${seg(recordingName)}/stop`).catch(() => undefined);
    await this.client().delete(`/bridges/${seg(bridgeId)}`).catch(ignoreNotFound);
  }

  async addToBridge(bridgeId: string, channelId: string): Promise<void> {
    await this.client().post(`/bridges/${seg(bridgeId)}/addChannel`, { channel: channelId });
  }

  async removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    await this.client().post(`/bridges/${seg(bridgeId)}/removeChannel`, { channel: channelId }).catch(ignoreNotFound);
  }

  async startBridgeMoh(bridgeId: string): Promise<void> {
    await this.client().post(`/bridges/${seg(bridgeId)}/moh`, { mohClass: 'default' });
  }

  async stopBridgeMoh(bridgeId: string): Promise<void> {
    await this.client().delete(`/bridges/${seg(bridgeId)}/moh`).catch(ignoreNotFound);
  }

  async hangup(channelId: string): Promise<void> {
    await this.client().delete(`/channels/${seg(channelId)}`).catch(ignoreNotFound);
  }

  async setShedding(on: boolean): Promise<void> {
    // A global, not a channel variable: from-trunk reads it for every new caller before Stasis().
    await this.client().post('/asterisk/variable', { variable: 'PBXDESK_SHED', value: on ? '1' : '0' });
  }

  async continueToFallback(channelId: string): Promise<void> {
    // The 'fallback' label of extensions.conf's from-trunk: Answer, MixMonitor, Queue(first-line).
    const ch = await this.client().get<AriChannel>(`/channels/${seg(channelId)}`);
    await this.client().post(`/channels/${seg(channelId)}/continue`, {
      context: 'from-trunk',
      extension: ch.dialplan?.exten ?? 's',
      label: 'fallback',
    });
  }

  async listChannelIds(): Promise<Set<string>> {
    const list = await this.client().get<{ id: string }[]>('/channels');
    return new Set(list.map((c) => c.id));
  }

  async upsertOperatorEndpoint(ep: ProvisionedEndpoint): Promise<void> {
    // Plain HTTP, independent of the event websocket: it fails by itself when Asterisk is down.
    await pushOperatorEndpoint(this.s, ep);
    this.log.debug({ endpoint: ep.id }, 'operator endpoint pushed');
  }

  endpointIds(): Promise<Set<string>> {
    return listOperatorEndpointIds(this.s);
  }

  endpointFingerprint(ep: ProvisionedEndpoint): string {
    return endpointFingerprint(ep);
  }

  /** Internal calls recorded or not: extensions.conf [pbxdesk-internal] reads this global (INTERNAL_CALLS_RECORDED). */
  async setInternalRecording(on: boolean): Promise<void> {
    await this.client().post('/asterisk/variable', { variable: 'PBXDESK_INTERNAL_REC', value: on ? '1' : '0' });
  }

  /** Internal calls: an extension no longer leads anywhere (its operator got another one, or is another node's). */
  forgetExtension(extension: string): Promise<void> {
    return deleteExtensionEndpoint(this.s, extension);
  }
}

// Asterisk's own texts for the Q.850 causes a call centre sees (ast_cause2str).
const CAUSES: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  27: 'Destination out of order',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
};

function causeText(code: number): string {
  return CAUSES[code] ?? (code === 0 ? 'Unknown' : `Q.850 cause ${code}`);
}

function ignoreNotFound(err: unknown): void {
  const msg = String((err as Error)?.message ?? err);
  if ((err as { status?: number })?.status === 404 || /not found|404|Channel not in Stasis/i.test(msg)) return;
  throw err;
}
