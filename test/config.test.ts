import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = {
  PBXDESK_SECRET_KEY: 'k'.repeat(64),
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  ARI_URL: 'http://127.0.0.1:8088',
  PBX_ARI_USER: 'u',
  PBX_ARI_PASSWORD: 'p',
  PBX_AMI_USER: 'u',
  PBX_AMI_SECRET: 's',
  RECORDINGS_SPOOL_DIR: '/tmp/spool',
};

describe('config', () => {
  it('loads, applies defaults and freezes', () => {
    const c = loadConfig(base);
    expect(c.ari.app).toBe('pbxdesk');
    expect(c.ivr.defaultLanguage).toBe('ru');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ari)).toBe(true);
  });

  it.each([
    ['DATABASE_URL', undefined, 'DATABASE_URL is not set'],
    ['DATABASE_URL', 'mysql://x', 'DATABASE_URL must use'],
    ['HTTP_PORT', '70000', 'HTTP_PORT must be an integer'],
    ['PBXDESK_SECRET_KEY', 'short', 'PBXDESK_SECRET_KEY must be at least 32'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of'],
  ])('fails fast naming %s', (name, value, message) => {
    const env: Record<string, string | undefined> = { ...base, [name]: value };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
