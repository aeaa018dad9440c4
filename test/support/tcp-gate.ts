// A TCP relay in front of the suite's Postgres that a test can close: closed, its port refuses
// connections (ECONNREFUSED, as a Postgres that is down or restarting) and the connections it
// relayed are cut (pg: "Connection terminated unexpectedly"). Only what connects through it sees
// the outage; the shared Postgres and every other test file go on as usual.
import net from 'node:net';

export class TcpGate {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** A URL like `url` that goes through the gate. */
  static async before(url: string): Promise<{ gate: TcpGate; url: string }> {
    const u = new URL(url);
    const gate = new TcpGate({ host: u.hostname, port: Number(u.port || 5432) });
    await gate.open();
    u.hostname = '127.0.0.1';
    u.port = String(gate.port);
    return { gate, url: u.toString() };
  }

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Takes connections again (on the same port). */
  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and cuts the ones it relays. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
