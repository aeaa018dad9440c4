// Live monitoring of an operator's call through an ARI snoop channel on the operator's leg:
//   listen   spy both ways, whisper nothing: the supervisor hears caller and operator;
//   whisper  also whisper 'out' (towards the operator's phone): only the operator hears them;
//   barge    whisper both ways: caller and operator hear them.
// The snoop and the supervisor's phone (rung with an X-Pbxdesk-Monitor header, so a browser
// panel knows to pick it up by itself) meet in a small bridge of their own: the call's bridge
// and its recording are untouched. Either side leaving ends the session.
import type { Logger } from 'pino';
import { seg, type AriRest } from './ari-rest.js';
import type { SnoopStarts } from './snoop-start.js';

export type MonitorMode = 'listen' | 'whisper' | 'barge';

interface Session {
  snoopId: string;
  phoneId: string;
  bridgeId: string;
  ended: boolean;
}

export class AriMonitors {
  private readonly byId = new Map<string, Session>();
  private readonly byChannel = new Map<string, string>();

  constructor(
    private readonly client: () => AriRest,
    private readonly app: string,
    private readonly snoops: SnoopStarts,
    private readonly log: Logger,
    private readonly ended: (monitorId: string) => void,
  ) {}

  async start(req: { monitorId: string; channelId: string; endpoint: string; mode: MonitorMode; callerId: string }): Promise<void> {
    const c = this.client();
    const s: Session = { snoopId: `mon-${req.monitorId}`, phoneId: `monph-${req.monitorId}`, bridgeId: `monbr-${req.monitorId}`, ended: false };
    await this.snoops.start(s.snoopId, () =>
      c.post(`/channels/${seg(req.channelId)}/snoop/${seg(s.snoopId)}`, {
        app: this.app,
        appArgs: `snoop,${req.monitorId}`,
        spy: 'both',
        whisper: req.mode === 'listen' ? 'none' : req.mode === 'whisper' ? 'out' : 'both',
      }),
    );
    this.byId.set(req.monitorId, s);
    this.byChannel.set(s.snoopId, req.monitorId);
    this.byChannel.set(s.phoneId, req.monitorId);
    await c.post('/bridges', { type: 'mixing', bridgeId: s.bridgeId, name: s.bridgeId });
    await c.post(`/bridges/${seg(s.bridgeId)}/addChannel`, { channel: [s.snoopId] });
    await c.post(
      '/channels',
      { endpoint: `PJSIP/${req.endpoint}`, channelId: s.phoneId, app: this.app, appArgs: `monitor,${req.monitorId}`, callerId: req.callerId, timeout: 30 },
      // Channel variables go in the body, wrapped as ARI wants them.
      { variables: { [`PJSIP_HEADER(add,X-Pbxdesk-Monitor)`]: req.mode } },
    );
  }

  /** StasisStart of a channel this module made; false when it is not one of ours. */
  stasisStart(kind: string | undefined, channelId: string): boolean {
    if (kind === 'snoop') {
      this.snoops.started(channelId);
      return true;
    }
    if (kind !== 'monitor') return false;
    const id = this.byChannel.get(channelId);
    const s = id ? this.byId.get(id) : undefined;
    if (!s) return true;
    this.client()
      .post(`/bridges/${seg(s.bridgeId)}/addChannel`, { channel: [channelId] })
      .catch((err: Error) => this.log.warn({ monitorId: id, err: err.message }, 'monitor phone not bridged'));
    return true;
  }

  /** A channel went away: if it was a monitor's, the whole monitor ends. */
  gone(channelId: string): boolean {
    const id = this.byChannel.get(channelId);
    const s = id ? this.byId.get(id) : undefined;
    if (!id || !s) return false;
    if (!s.ended) {
      s.ended = true;
      const c = this.client();
      for (const ch of [s.snoopId, s.phoneId]) if (ch !== channelId) c.delete(`/channels/${seg(ch)}`).catch(() => undefined);
      c.delete(`/bridges/${seg(s.bridgeId)}`).catch(() => undefined);
      this.ended(id);
    }
    this.byChannel.delete(channelId);
    if (![s.snoopId, s.phoneId].some((ch) => this.byChannel.has(ch))) this.byId.delete(id);
    return true;
  }

  async stop(monitorId: string): Promise<void> {
    const s = this.byId.get(monitorId);
    if (s) await this.client().delete(`/channels/${seg(s.phoneId)}`).catch(() => undefined);
  }
}
