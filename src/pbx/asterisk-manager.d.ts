// asterisk-manager ships no types; this declares the small part pbxdesk uses (ARI goes through
// ari-rest.ts and ari-connection.ts: see there why not ari-client).
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
