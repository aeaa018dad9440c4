// What the call domain needs from the PBX, and what it hears back. Only src/pbx/
// implements this against Asterisk; unit tests may use a fake.

export interface InboundChannel {
  channelId: string;
  callerNumber: string | null;
  dialledNumber: string | null;
  language: string | null;
  /** When Asterisk put the channel into the app (the StasisStart event's time), epoch ms. */
  stasisAt?: number;
}

export interface HangupCause {
  code: number;
  text: string;
}

export type PbxEvent =
  | { type: 'connected'; reconnect: boolean }
  | { type: 'disconnected' }
  | { type: 'inbound'; channel: InboundChannel }
  | { type: 'operatorAnswered'; callId: string; channelId: string }
  /** An operator rung for a consultation or a conference answered. */
  | { type: 'consultAnswered'; callId: string; channelId: string }
  /** A customer dialled back (a callback) answered. */
  | { type: 'customerAnswered'; callId: string; channelId: string }
  | { type: 'dtmf'; channelId: string; digit: string }
  | { type: 'channelGone'; channelId: string; cause: HangupCause }
  | { type: 'playbackFinished'; playbackId: string }
  | { type: 'recordingFinished'; name: string }
  | { type: 'recordingFailed'; name: string; cause: string }
  /** A supervisor's listen/whisper/barge session ended (either side hung up). */
  | { type: 'monitorEnded'; monitorId: string };

export interface DialRequest {
  /** PJSIP endpoint id of the operator. */
  endpoint: string;
  /** Chosen by us, so a no-answer can be told apart before the channel ever reaches Stasis. */
  channelId: string;
  callId: string;
  callerId: string;
  timeoutSec: number;
  /** Why the operator is rung: an offered call (default), or a consultation/conference. */
  purpose?: 'operator' | 'consult';
}

export interface OperatorEndpoint {
  id: string;
  md5Cred: string;
  realm: string;
  /** A browser softphone: DTLS-SRTP, ICE, AVPF, rtcp-mux over a SIP WebSocket. */
  webrtc: boolean;
}

export interface PbxPort {
  onEvent(handler: (e: PbxEvent) => void): void;
  isConnected(): boolean;
  answer(channelId: string): Promise<void>;
  /** Starts playing `media` (sound:... URIs) in order; playbackFinished reports the end. */
  play(channelId: string, playbackId: string, media: string[]): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  startMoh(channelId: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  dial(req: DialRequest): Promise<void>;
  bridgeAndRecord(bridgeId: string, channelIds: string[], recordingName: string): Promise<void>;
  /**
   * Ends a bridge. Its recording, when named, is stopped first: ARI sends RecordingFinished to
   * the app only while the app still has the bridge, and under load it was lost for about one
   * call in five when the bridge went first.
   */
  destroyBridge(bridgeId: string, recordingName?: string | null): Promise<void>;
  addToBridge(bridgeId: string, channelId: string): Promise<void>;
  removeFromBridge(bridgeId: string, channelId: string): Promise<void>;
  /** Music on hold for whoever is in the bridge (the caller, between two operators). */
  startBridgeMoh(bridgeId: string): Promise<void>;
  stopBridgeMoh(bridgeId: string): Promise<void>;
  hangup(channelId: string): Promise<void>;
  /** Dials a customer out (a callback) into the app; customerAnswered reports the answer. */
  dialOut(req: { dialString: string; channelId: string; callId: string; callerId: string; timeoutSec: number }): Promise<void>;
  /** Creates a mixing bridge holding these channels, without recording (yet). */
  createBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  /** Starts recording a bridge already made (see bridgeAndRecord for the usual case). */
  recordBridge(bridgeId: string, recordingName: string): Promise<void>;
  /** Nothing reaches the recording file while it is paused (a verification step). */
  pauseRecording(recordingName: string): Promise<void>;
  /** Records one channel (a voicemail) after a beep; recordingFinished reports the end. */
  recordChannel(channelId: string, recordingName: string, maxSec: number): Promise<void>;
  /** Records what one party says, alone (a snoop on the channel); it ends when the channel does. */
  recordLeg(channelId: string, recordingName: string): Promise<void>;
  unpauseRecording(recordingName: string): Promise<void>;
  /**
   * Overload: new callers take the dialplan's fallback path before they reach the app (the
   * PBXDESK_SHED global that extensions.conf checks before Stasis()), or come to the app again.
   */
  setShedding(on: boolean): Promise<void>;
  /** Hands a caller back to the dialplan's fallback (the plain first-line queue). */
  continueToFallback(channelId: string): Promise<void>;
  /** Ids of the channels Asterisk has now (to reclaim or close calls after a reconnect). */
  listChannelIds(): Promise<Set<string>>;
  upsertOperatorEndpoint(ep: OperatorEndpoint): Promise<void>;
  /**
   * Rings a supervisor's phone into a snoop of an operator's leg: listen (hear both), whisper
   * (the operator hears the supervisor), barge (both do). monitorEnded reports its end.
   */
  monitor(req: { monitorId: string; channelId: string; endpoint: string; mode: 'listen' | 'whisper' | 'barge'; callerId: string }): Promise<void>;
  stopMonitor(monitorId: string): Promise<void>;
}
