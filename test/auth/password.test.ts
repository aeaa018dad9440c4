import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password.js';
import { parseCookie } from '../../src/auth/session.service.js';

// @fastify/cookie loads its parser when registered (buildServer registers it before anything is served).
beforeAll(async () => {
  const app = Fastify();
  await app.register(cookie);
  await app.close();
});

describe('panel passwords', () => {
  it('verifies the right password, refuses a wrong one and an operator without one, salts every hash', async () => {
    const h = await hashPassword('пароль оператора 42');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('пароль оператора 42', h)).toBe(true);
    expect(await verifyPassword('пароль оператора 43', h)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
    expect(await hashPassword('пароль оператора 42')).not.toBe(h);
  });
  it('reads the session cookie among others', () => {
    expect(parseCookie('a=1; pbxdesk_session=abc-_9; b=2')).toEqual({ a: '1', pbxdesk_session: 'abc-_9', b: '2' });
    expect(parseCookie(undefined)).toEqual({});
    // Broken percent-encoding (another app's cookie) is kept as it is, never thrown on.
    expect(parseCookie('x=%E0%A4%A; pbxdesk_session=abc; y=%')).toMatchObject({ pbxdesk_session: 'abc', x: '%E0%A4%A', y: '%' });
  });
});
