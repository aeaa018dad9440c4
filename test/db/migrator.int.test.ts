import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrator.js';

describe('migrations', () => {
  it('are idempotent: a second run applies nothing', async () => {
    const url = process.env.DATABASE_URL as string;
    const dir = path.resolve('migrations');
    await migrate(url, dir);
    const again = await migrate(url, dir);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThan(0);
  });
});
