import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadWorkerConfig } from '../src/config.js';

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

// The archive worker's configuration (`pbxdesk worker archive`, loadWorkerConfig): the service's
// settings without Asterisk's credentials nor the token key, and the archive settings it runs by.
const worker = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  RECORDINGS_SPOOL_DIR: '/tmp/spool',
};
const service = { ...worker, PBXDESK_SECRET_KEY: 'k'.repeat(64), ARI_URL: 'http://127.0.0.1:8088', PBX_ARI_USER: 'u', PBX_ARI_PASSWORD: 'p', PBX_AMI_USER: 'u', PBX_AMI_SECRET: 's' };

describe('archive worker configuration', () => {
  it('needs no ARI, AMI or token secrets, and its key is its own random one', () => {
    expect(() => loadConfig(worker)).toThrow(ConfigError);
    const a = loadWorkerConfig(worker);
    expect(a.recordings.workers).toBe('in-process');
    expect(a.recordings.incoming).toBe('spool');
    expect(a.secretKey).not.toBe(loadWorkerConfig(worker).secretKey);
    expect(a.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  it('keeps what it is given', () => {
    const c = loadWorkerConfig({ ...service, PBX_NODE: 'pbx2', ARCHIVE_WORKERS: 'external' });
    expect(c.ari.node).toBe('pbx2');
    expect(c.secretKey).toBe(service.PBXDESK_SECRET_KEY);
    expect(c.recordings.workers).toBe('external');
  });

  it('refuses unknown modes, and S3 incoming without a bucket', () => {
    expect(() => loadConfig({ ...service, ARCHIVE_WORKERS: 'remote' })).toThrow('ARCHIVE_WORKERS must be one of in-process, external');
    expect(() => loadConfig({ ...service, ARCHIVE_INCOMING: 'nfs' })).toThrow('ARCHIVE_INCOMING must be one of spool, s3');
    expect(() => loadConfig({ ...service, ARCHIVE_INCOMING: 's3' })).toThrow('S3_BUCKET is not set (ARCHIVE_INCOMING=s3)');
    const c = loadConfig({ ...service, ARCHIVE_INCOMING: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 's' });
    expect(c.recordings.incoming).toBe('s3');
    expect(c.recordings.store).toBe('fs');
  });
});
