import Fastify from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { UnknownLineError } from '../../src/errors.js';
import { Line, Nullable } from '../../src/http/schemas.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { checkLine, checkSettingLines, guardRouteLines, linePaths } from '../../src/lines/line-guard.js';

const lines = LineCatalog.defaults();

describe('the line check', () => {
  it('passes a configured line and refuses any other as unknown_line (400), naming the known ones', () => {
    expect(checkLine(lines, 'second')).toBe('second');
    const err = (() => {
      try {
        checkLine(lines, 'third', '/body/line');
      } catch (e) {
        return e as UnknownLineError;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(UnknownLineError);
    expect([err.status, err.code]).toEqual([400, 'unknown_line']);
    expect(err.details).toEqual({ line: 'third', known: ['first', 'second'], path: '/body/line' });
  });

  it('refuses a setting naming a line that is not configured', () => {
    expect(() => checkSettingLines(lines, 'CLICK_TO_CALL_CALLER_ID', ['first'])).not.toThrow();
    expect(() => checkSettingLines(lines, 'CLICK_TO_CALL_CALLER_ID', ['vip'])).toThrow(ConfigError);
  });

  it('finds the line fields a schema declares, through optional, nullable and arrays', () => {
    const body = Type.Object({ line: Type.Optional(Nullable(Line)), lines: Type.Array(Line), nested: Type.Object({ to: Line }), name: Type.String() });
    expect(linePaths(body)).toEqual([['line'], ['lines', '*'], ['nested', 'to']]);
    expect(linePaths(Type.Unknown())).toEqual([]);
  });
});

describe('routes taking a line', () => {
  const app = async () => {
    const f = Fastify();
    installErrorHandler(f);
    f.addHook('onRoute', guardRouteLines(lines));
    f.post('/t/:line', { schema: { params: Type.Object({ line: Line }), querystring: Type.Object({ line: Type.Optional(Line) }), body: Type.Object({ lines: Type.Array(Line) }) } }, async () => ({ ok: true }));
    await f.ready();
    return f;
  };

  it('answer 400 unknown_line, with the field, for a line that is not configured anywhere in the request', async () => {
    const f = await app();
    const ok = await f.inject({ method: 'POST', url: '/t/first?line=second', payload: { lines: ['first', 'second'] } });
    expect(ok.statusCode).toBe(200);
    for (const [url, payload, path] of [
      ['/t/vip', { lines: [] }, '/params/line'],
      ['/t/first?line=vip', { lines: [] }, '/query/line'],
      ['/t/first', { lines: ['first', 'vip'] }, '/body/lines/1'],
    ] as const) {
      const res = await f.inject({ method: 'POST', url, payload });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'unknown_line', details: { line: 'vip', path } } });
    }
    await f.close();
  });
});
