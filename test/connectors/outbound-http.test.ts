// The SSRF guard of webhooks and connectors: which addresses are refused, how URLs are read,
// and that the refusal holds at connection time (a name resolving to loopback, a literal address).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal, allowListOf, guardedHttp, parseTarget, requestError } from '../../src/connectors/outbound-http.js';

const none = allowListOf([]);

describe('addresses', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '0.0.0.0', '::',
    '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1',
    '169.254.169.254', 'fe80::1', 'fc00::1', 'fd12:3456::1', '224.0.0.1', '255.255.255.255', '2002:7f00:1::1', '64:ff9b::7f00:1',
  ])('%s is refused', (ip) => {
    expect(addressRefusal(ip, none)).toMatch(/loopback, private, link-local or reserved/);
  });
  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2a00:1450:4001:80b::200e'])('%s (public) passes', (ip) => {
    expect(addressRefusal(ip, none)).toBeUndefined();
  });
  it('an allow-list lets named private addresses and ranges through, and only those', () => {
    const allow = allowListOf(['10.0.5.20', '192.168.7.0/24', 'fd00::/8']);
    expect(addressRefusal('10.0.5.20', allow)).toBeUndefined();
    expect(addressRefusal('10.0.5.21', allow)).toBeDefined();
    expect(addressRefusal('192.168.7.200', allow)).toBeUndefined();
    expect(addressRefusal('fd00::5', allow)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', allow)).toBeDefined();
  });
  it.each(['localhost', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', '1.2.3.4/8/1'])('allow-list entry %s is refused', (e) => {
    expect(() => allowListOf([e])).toThrow();
  });
});

describe('URLs', () => {
  it.each([
    ['http://0x7f000001:8088/ari', '127.0.0.1'],
    ['http://2130706433:5432/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://[::1]:6379/', '::1'],
    ['https://rt.example.org/', 'rt.example.org'],
  ])('%s is requested from %s', (url, host) => {
    expect(parseTarget(url)).toMatchObject({ host });
  });
  it('refuses credentials, other schemes and garbage', () => {
    expect(parseTarget('http://root:secret@rt.example.org/')).toMatchObject({ refusal: expect.stringMatching(/credentials/) });
    expect(parseTarget('http://token@rt.example.org/')).toMatchObject({ refusal: expect.stringMatching(/credentials/) });
    expect(parseTarget('file:///etc/passwd')).toMatchObject({ refusal: expect.stringMatching(/http/) });
    expect(parseTarget('not a url')).toMatchObject({ refusal: 'not a valid URL' });
  });
});

describe('requests', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      // /slow never answers: the request's timeout ends it.
      if (req.url !== '/slow') res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const get = { method: 'GET', headers: {}, timeoutMs: 2000 };

  it('refuses loopback at creation, by address or by a name that resolves to it', async () => {
    const h = guardedHttp([]);
    await expect(h.checkTarget(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'outbound_target_not_allowed' });
    await expect(h.checkTarget(`http://2130706433:${port}/`)).rejects.toMatchObject({ code: 'outbound_target_not_allowed' });
    await expect(h.checkTarget(`http://localhost:${port}/`)).rejects.toThrow(/resolves to/);
    await expect(h.checkTarget('http://u:p@93.184.215.14/')).rejects.toThrow(/credentials/);
    await expect(h.checkTarget('http://93.184.215.14/')).resolves.toBeUndefined();
  });

  it('refuses at connection time too, and connects to an allowed address', async () => {
    const before = hits;
    await expect(guardedHttp([]).request(`http://127.0.0.1:${port}/`, get)).rejects.toThrow(/refused/);
    await expect(guardedHttp([]).request(`http://0x7f000001:${port}/`, get)).rejects.toThrow(/refused/);
    // A name is checked on what it resolves to when the socket connects (DNS rebinding).
    await expect(guardedHttp(['::1']).request(`http://localhost:${port}/`, get)).rejects.toThrow(/refused localhost/);
    expect(hits).toBe(before);
    expect(await guardedHttp(['127.0.0.1']).request(`http://127.0.0.1:${port}/`, get)).toEqual({ status: 200, text: 'ok' });
    expect(await guardedHttp(['127.0.0.0/8', '::1']).request(`http://localhost:${port}/`, get)).toMatchObject({ status: 200 });
    expect(hits).toBe(before + 2);
  });

  it('gives up after its timeout, and says so', async () => {
    const h = guardedHttp(['127.0.0.1']);
    const err = await h.request(`http://127.0.0.1:${port}/slow`, { ...get, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(requestError(err)).toBe('TimeoutError');
    expect(requestError(await h.request('http://127.0.0.1:9/', get).catch((e: unknown) => e))).toBe('ECONNREFUSED');
  });
});
