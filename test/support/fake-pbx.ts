// A fake of OUR PbxPort (src/calls/pbx.port.ts), not of Asterisk: the call core's fast tests
// (test/calls/call-core*.int.test.ts) drive calls with PbxEvents and check what the core asked
// the PBX to do. Every request is recorded in order; a request can be made to fail; helpers
// play the PBX's side the way the ARI adapter reports it (src/pbx/ari-pbx.adapter.ts).
import { randomUUID } from 'node:crypto';
import type { DialRequest, HangupCause, InboundChannel, PbxEvent, PbxPort } from '../../src/calls/pbx.port.js';

type Method = Exclude<keyof PbxPort, 'onEvent' | 'isConnected'>;
export interface PbxRequest {
  method: Method;
  args: unknown[];
}
export type DialOutRequest = Parameters<PbxPort['dialOut']>[0];

/** Q.850 causes as the adapter reports them. */
export const CAUSE = {
  normal: { code: 16, text: 'Normal Clearing' },
  noAnswer: { code: 19, text: 'No answer' },
  busy: { code: 17, text: 'User busy' },
} satisfies Record<string, HangupCause>;

export class FakePbx implements PbxPort {
  /** Every request the core made, in order. */
  readonly requests: PbxRequest[] = [];
  /** Channels the PBX has now (callers, dialled operators and customers), for listChannelIds. */
  readonly channels = new Set<string>();
  connected = true;
  /**
   * Prompts end as soon as they start (playbackFinished on the next tick), so an IVR runs in
   * microseconds; off, a prompt plays until finishPlaybacks().
   */
  autoFinishPlaybacks = true;
  /**
   * Asterisk reports the end of a channel the core hung up (StasisEnd): so does the fake, on the
   * next tick, as channelGone with normal clearing.
   */
  goneOnHangup = true;
  private readonly handlers: ((e: PbxEvent) => void)[] = [];
  /** Prompts playing, by playback id: their channel and media. */
  private readonly playing = new Map<string, { channelId: string; media: string[] }>();
  /** Prompts that played to their end (playbackFinished sent). */
  private readonly finished: { channelId: string; media: string[] }[] = [];
  private readonly failures = new Map<Method, { err: Error; when: (args: unknown[]) => boolean; times: number }>();

  // ---- the port ----

  onEvent(handler: (e: PbxEvent) => void): void {
    this.handlers.push(handler);
  }

  isConnected(): boolean {
    return this.connected;
  }

  answer(channelId: string): Promise<void> {
    return this.req('answer', channelId);
  }

  async play(channelId: string, playbackId: string, media: string[]): Promise<void> {
    await this.req('play', channelId, playbackId, media);
    this.playing.set(playbackId, { channelId, media });
    if (this.autoFinishPlaybacks) setImmediate(() => this.finishPlayback(playbackId));
  }

  async stopPlayback(playbackId: string): Promise<void> {
    await this.req('stopPlayback', playbackId);
    this.playing.delete(playbackId);
  }

  startMoh(channelId: string): Promise<void> {
    return this.req('startMoh', channelId);
  }

  stopMoh(channelId: string): Promise<void> {
    return this.req('stopMoh', channelId);
  }

  async dial(req: DialRequest): Promise<void> {
    await this.req('dial', req);
    this.channels.add(req.channelId);
  }

  bridgeAndRecord(bridgeId: string, channelIds: string[], recordingName: string): Promise<void> {
    return this.req('bridgeAndRecord', bridgeId, channelIds, recordingName);
  }

  destroyBridge(bridgeId: string, recordingName?: string | null): Promise<void> {
    return this.req('destroyBridge', bridgeId, recordingName);
  }

  addToBridge(bridgeId: string, channelId: string): Promise<void> {
    return this.req('addToBridge', bridgeId, channelId);
  }

  removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    return this.req('removeFromBridge', bridgeId, channelId);
  }

  startBridgeMoh(bridgeId: string): Promise<void> {
    return this.req('startBridgeMoh', bridgeId);
  }

  stopBridgeMoh(bridgeId: string): Promise<void> {
    return this.req('stopBridgeMoh', bridgeId);
  }

  async hangup(channelId: string): Promise<void> {
    await this.req('hangup', channelId);
    if (this.goneOnHangup && this.channels.has(channelId)) setImmediate(() => this.gone(channelId, CAUSE.normal));
  }

  async dialOut(req: DialOutRequest): Promise<void> {
    await this.req('dialOut', req);
    this.channels.add(req.channelId);
  }

  createBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.req('createBridge', bridgeId, channelIds);
  }

  recordBridge(bridgeId: string, recordingName: string): Promise<void> {
    return this.req('recordBridge', bridgeId, recordingName);
  }

  pauseRecording(recordingName: string): Promise<void> {
    return this.req('pauseRecording', recordingName);
  }

  recordChannel(channelId: string, recordingName: string, maxSec: number): Promise<void> {
    return this.req('recordChannel', channelId, recordingName, maxSec);
  }

  recordLeg(channelId: string, recordingName: string): Promise<void> {
    return this.req('recordLeg', channelId, recordingName);
  }

  unpauseRecording(recordingName: string): Promise<void> {
    return this.req('unpauseRecording', recordingName);
  }

  setShedding(on: boolean): Promise<void> {
    return this.req('setShedding', on);
  }

  continueToFallback(channelId: string): Promise<void> {
    return this.req('continueToFallback', channelId);
  }

  async listChannelIds(): Promise<Set<string>> {
    await this.req('listChannelIds');
    return new Set(this.channels);
  }

  upsertOperatorEndpoint(ep: Parameters<PbxPort['upsertOperatorEndpoint']>[0]): Promise<void> {
    return this.req('upsertOperatorEndpoint', ep);
  }

  monitor(req: Parameters<PbxPort['monitor']>[0]): Promise<void> {
    return this.req('monitor', req);
  }

  stopMonitor(monitorId: string): Promise<void> {
    return this.req('stopMonitor', monitorId);
  }

  // ---- the PBX's side, for tests ----

  emit(e: PbxEvent): void {
    for (const h of this.handlers) h(e);
  }

  /** A caller reaches the app (StasisStart); returns their channel id. */
  inbound(callerNumber: string, more: Partial<Omit<InboundChannel, 'channelId' | 'callerNumber'>> = {}): string {
    const channelId = randomUUID();
    this.channels.add(channelId);
    this.emit({ type: 'inbound', channel: { channelId, callerNumber, dialledNumber: '88005553535', language: null, ...more } });
    return channelId;
  }

  /** Keys pressed on a channel, one dtmf event each. */
  press(channelId: string, digits: string): void {
    for (const digit of digits) this.emit({ type: 'dtmf', channelId, digit });
  }

  /** Every prompt still playing ends (PlaybackFinished). */
  finishPlaybacks(): void {
    for (const id of [...this.playing.keys()]) this.finishPlayback(id);
  }

  /** The operators dialled so far, in order (optionally for one call). */
  dials(callId?: string): DialRequest[] {
    return this.argsOf('dial').map((a) => a[0] as DialRequest).filter((d) => callId === undefined || d.callId === callId);
  }

  lastDial(callId?: string): DialRequest | undefined {
    return this.dials(callId).at(-1);
  }

  dialOuts(callId?: string): DialOutRequest[] {
    return this.argsOf('dialOut').map((a) => a[0] as DialOutRequest).filter((d) => callId === undefined || d.callId === callId);
  }

  /** The rung operator picks up (their channel enters the app). */
  operatorAnswers(d: DialRequest): void {
    this.emit({ type: d.purpose === 'consult' ? 'consultAnswered' : 'operatorAnswered', callId: d.callId, channelId: d.channelId });
  }

  /** A dialled customer (a callback) picks up. */
  customerAnswers(d: DialOutRequest): void {
    this.emit({ type: 'customerAnswered', callId: d.callId, channelId: d.channelId });
  }

  /** A channel ends (the caller or an operator hangs up, a ring times out): channelGone. */
  gone(channelId: string, cause: HangupCause = CAUSE.normal): void {
    if (!this.channels.delete(channelId)) return; // the adapter reports a channel's end once to the core
    this.emit({ type: 'channelGone', channelId, cause });
  }

  /** A recording (a voicemail) is closed. */
  recordingFinished(name: string): void {
    this.emit({ type: 'recordingFinished', name });
  }

  /**
   * `method` rejects with `err` (`times` times, or until heal(method)) while `when` holds for its
   * arguments: an ARI request Asterisk refused.
   */
  fail(method: Method, opts: { err?: Error; when?: (args: unknown[]) => boolean; times?: number } = {}): void {
    this.failures.set(method, { err: opts.err ?? new Error(`${method}: 500 Internal Server Error (fake)`), when: opts.when ?? (() => true), times: opts.times ?? Infinity });
  }

  heal(method?: Method): void {
    if (method) this.failures.delete(method);
    else this.failures.clear();
  }

  /** The arguments of every request of one kind, in order. */
  argsOf(method: Method): unknown[][] {
    return this.requests.filter((r) => r.method === method).map((r) => r.args);
  }

  /**
   * The requests about a call, in order, as method names: those naming one of `ids` (its
   * channels, its call id), and those naming a bridge, playback or dialled channel such a request made.
   */
  trace(...ids: string[]): Method[] {
    const known = new Set(ids);
    const out: Method[] = [];
    for (const r of this.requests) {
      const text = JSON.stringify(r.args);
      if (![...known].some((id) => text.includes(id))) continue;
      out.push(r.method);
      if (r.method === 'play') known.add(r.args[1] as string);
      if (r.method === 'bridgeAndRecord' || r.method === 'createBridge') known.add(r.args[0] as string);
      if (r.method === 'dial' || r.method === 'dialOut') known.add((r.args[0] as { channelId: string }).channelId);
    }
    return out;
  }

  /**
   * A prompt (by name) played to its end on the channel: the core has heard playbackFinished and
   * goes on (reads a digit, say), so a key pressed now is an answer, not a cut-short prompt.
   */
  prompted(channelId: string, prompt: string): boolean {
    return this.finished.some((p) => p.channelId === channelId && p.media.some((m) => m.endsWith(`/${prompt}`)));
  }

  private finishPlayback(id: string): void {
    const p = this.playing.get(id);
    if (!p) return;
    this.playing.delete(id);
    this.finished.push(p);
    this.emit({ type: 'playbackFinished', playbackId: id });
  }

  private async req(method: Method, ...args: unknown[]): Promise<void> {
    this.requests.push({ method, args });
    const f = this.failures.get(method);
    if (f && f.times > 0 && f.when(args)) {
      if (--f.times === 0) this.failures.delete(method);
      throw f.err;
    }
  }
}
