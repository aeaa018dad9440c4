// ARI's REST requests over plain node:http with keep-alive connections.
//
// Why not ari-client's operations: every request went through swagger-client 2.0 and shred
// (building the operation from the API spec, lodash clones, bluebird, its own HTTP wrapper) and
// every event built resource objects with all their operations attached. Under the load bench
// that layer was about a third of the service's CPU per call; a request here is a URL, a header
// and a JSON parse. Parameters go as ARI expects them (api-docs: path, query, a JSON body for
// `variables`), lists joined with commas as ari-client sent them.
import http from 'node:http';
import https from 'node:https';

/** An ARI request Asterisk answered with an error (or one that never got an answer). */
export class AriRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, 0 when there was no response. */
    readonly status: number,
  ) {
    super(message);
  }
}

export type AriQuery = Record<string, string | number | boolean | readonly string[] | undefined>;

/** How long one request may take before it fails (ARI answers in milliseconds). */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * An idle keep-alive connection is closed by us after this, well before Asterisk's own
 * http.conf session_keep_alive (15 s by default) closes it under a request in flight.
 */
const IDLE_MS = 5_000;
/** Connections to Asterisk's HTTP server at most (each is a thread there; its session_limit is 100). */
const MAX_SOCKETS = 32;

export class AriRest {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly host: string;
  private readonly port: number | undefined;
  private readonly prefix: string;
  private readonly auth: string;

  constructor(s: { url: string; user: string; password: string }) {
    const u = new URL(s.url);
    const tls = u.protocol === 'https:';
    this.agent = tls ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }) : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS });
    this.request = tls ? https.request : http.request;
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = u.port ? Number(u.port) : undefined;
    this.prefix = `${u.pathname.replace(/\/+$/, '')}/ari`;
    this.auth = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
  }

  get<T = unknown>(path: string, query?: AriQuery): Promise<T> {
    return this.send<T>('GET', path, query);
  }

  post<T = unknown>(path: string, query?: AriQuery, body?: unknown): Promise<T> {
    return this.send<T>('POST', path, query, body);
  }

  put<T = unknown>(path: string, query?: AriQuery, body?: unknown): Promise<T> {
    return this.send<T>('PUT', path, query, body);
  }

  delete(path: string, query?: AriQuery): Promise<unknown> {
    return this.send('DELETE', path, query);
  }

  /** Closes the idle connections (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, query?: AriQuery, body?: unknown): Promise<T> {
    const url = `${this.prefix}${path}${queryString(query)}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const attempt = (retry: boolean) => {
        const headers: http.OutgoingHttpHeaders = { authorization: this.auth };
        if (payload !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = Buffer.byteLength(payload);
        }
        const req = this.request({ host: this.host, port: this.port, method, path: url, headers, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(err));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            if (status >= 200 && status < 300) {
              try {
                resolve((text ? JSON.parse(text) : undefined) as T);
              } catch (err) {
                reject(new AriRequestError(`ARI ${method} ${path}: not JSON (${(err as Error).message})`, status));
              }
              return;
            }
            // The message is Asterisk's own body ({"message":"Channel not found"}), as ari-client gave it.
            reject(new AriRequestError(text || `${status} ${http.STATUS_CODES[status] ?? ''}`.trim(), status));
          });
        });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new AriRequestError(`ARI ${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`, 0)));
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as it was reused: the request never
          // reached Asterisk, so it is sent again once, on a fresh connection.
          if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return attempt(false);
          reject(err);
        });
        req.end(payload);
      };
      attempt(true);
    });
  }
}

function queryString(q: AriQuery | undefined): string {
  if (!q) return '';
  let out = '';
  for (const k in q) {
    const v = q[k];
    if (v === undefined) continue;
    out += `${out ? '&' : '?'}${encodeURIComponent(k)}=${encodeURIComponent(Array.isArray(v) ? v.join(',') : String(v))}`;
  }
  return out;
}

/** A path segment: ids are ours or Asterisk's, but never trusted to be URL-safe. */
export const seg = encodeURIComponent;
