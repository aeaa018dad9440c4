// ari-client ships no types; this declares the small part pbxdesk uses.
declare module 'ari-client' {
  import type { EventEmitter } from 'node:events';
  type Op<A = Record<string, unknown>, R = unknown> = (args: A) => Promise<R>;
  export interface AriClient extends EventEmitter {
    start(apps: string | string[]): Promise<void>;
    stop(): void;
    channels: {
      answer: Op;
      play: Op;
      startMoh: Op;
      stopMoh: Op;
      originate: Op;
      hangup: Op;
      get: Op<{ channelId: string }, { id: string; dialplan?: { exten?: string } }>;
      continueInDialplan: Op;
      list: Op<Record<string, never>, { id: string }[]>;
      record: Op;
      snoopChannelWithId: Op;
    };
    asterisk: { setGlobalVar: Op<{ variable: string; value: string }> };
    playbacks: { stop: Op };
    recordings: { pause: Op; unpause: Op; stop: Op };
    bridges: { create: Op; addChannel: Op; removeChannel: Op; record: Op; destroy: Op; startMoh: Op; stopMoh: Op };
  }
  export function connect(url: string, user: string, password: string): Promise<AriClient>;
  const ari: { connect: typeof connect };
  export default ari;
}
declare module 'asterisk-manager' {
  import type { EventEmitter } from 'node:events';
  export interface AmiManager extends EventEmitter {
    options: { port: number; host: string; username: string; password: string; events: boolean };
    connect(port: number, host: string, cb: (err: Error | null) => void): void;
    login(cb: (err?: unknown) => void): void;
    action(action: Record<string, string | number | boolean>, cb: (err: unknown, res: Record<string, string>) => void): void;
    disconnect(): void;
    isConnected(): boolean;
  }
  function AsteriskManager(
    port: number | undefined, host: string, user: string, secret: string, events: boolean,
  ): AmiManager;
  export default AsteriskManager;
}
