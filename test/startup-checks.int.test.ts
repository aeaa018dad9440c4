// The service refuses to start, naming the fix, when it would otherwise run and then lose
// data or retry something that can never work.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq } from './support/app.js';

const redis = new Redis(process.env.REDIS_URL as string);
afterAll(async () => {
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  redis.disconnect();
});

describe('start-up checks', () => {
  it('refuse a Redis that may evict keys', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(startTestApp()).rejects.toThrow(/maxmemory-policy is allkeys-lru.*noeviction/);
    } finally {
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('refuse a database without the schema, pointing at `pbxdesk migrate`', async () => {
    const name = uniq('empty_');
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.DATABASE_URL as string);
      url.pathname = `/${name}`;
      await expect(startTestApp({ DATABASE_URL: url.toString() })).rejects.toThrow(/pbxdesk migrate/);
    } finally {
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  });

  it('refuse a recordings directory that cannot be written', async () => {
    const file = path.join(tmpdir(), uniq('not-a-dir-'));
    await writeFile(file, '');
    await expect(startTestApp({ RECORDINGS_DIR: `${file}/recordings` })).rejects.toThrow(/RECORDINGS_DIR .* is not writable/);
  });

  it('refuse wrong ARI credentials instead of retrying them forever', async () => {
    await expect(startTestApp({ PBX_ARI_PASSWORD: 'wrong-password' })).rejects.toThrow(/ARI refused PBX_ARI_USER/);
  });
});
