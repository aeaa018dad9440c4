// An operator signed in to the panel over HTTP (no browser): their session cookie, API calls as
// them, and their panel's event stream read as it arrives.
import { expect } from 'vitest';
import { uniq, type TestApp } from './app.js';
import type { Line } from '../../src/vocabulary.js';

export interface PanelSession {
  id: string;
  login: string;
  password: string;
  name: string;
  cookie: string;
  call<T = Record<string, unknown>>(method: string, path: string, payload?: unknown): Promise<{ status: number; body: T & { error?: { code: string; message: string } } }>;
}

export async function panelSession(t: TestApp, o: { line: Line; name?: string; supervisor?: boolean }): Promise<PanelSession> {
  const login = uniq('ps');
  const password = `${uniq('panel-')}${uniq()}`;
  const name = o.name ?? `Оператор ${login}`;
  const op = await t.api<{ id: string }>('POST', '/api/operators', { login, name, line: o.line, sipPassword: `${uniq('sip-')}${uniq()}`, softphone: 'webrtc', supervisor: o.supervisor ?? false });
  expect(op.status, JSON.stringify(op.body)).toBe(201);
  expect((await t.api('PUT', `/api/operators/${op.body.id}/panel-password`, { password })).status).toBe(204);
  const res = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  expect(res.status).toBe(201);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return {
    id: op.body.id, login, password, name, cookie,
    async call(method, path, payload) {
      const r = await fetch(`${t.base}${path}`, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
}

export interface PanelEvents {
  /** The next event (oldest not taken yet) that `match` accepts; earlier ones it refuses are dropped. */
  next<T = unknown>(match: (event: string, data: T) => boolean): Promise<{ event: string; data: T }>;
  close(): void;
}

/** The panel's event stream of `s`, open once "hello" has arrived (the panel is attached). */
export async function panelEvents(t: TestApp, s: PanelSession): Promise<PanelEvents> {
  const abort = new AbortController();
  const res = await fetch(`${t.base}/api/panel/events`, { headers: { cookie: s.cookie, accept: 'text/event-stream' }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  const queue: { event: string; data: unknown }[] = [];
  const pull = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended');
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) queue.push({ event, data: JSON.parse(data) });
    }
  };
  const events: PanelEvents = {
    async next(match) {
      for (;;) {
        const e = queue.shift();
        if (e && match(e.event, e.data as never)) return e as never;
        if (!e) await pull();
      }
    },
    close: () => abort.abort(),
  };
  await events.next((e) => e === 'hello');
  return events;
}
