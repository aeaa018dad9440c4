// The one classifier of failed Postgres writes: away (retry) against wrong (data: drop or refuse).
import { describe, expect, it } from 'vitest';
import { isDataError, isUnavailable, nextBackoff } from '../../src/db/pg-errors.js';

describe('Postgres errors', () => {
  it('tells a wrong change (classes 22, 23) from everything else', () => {
    for (const code of ['22P02', '22001', '23505', '23503']) expect(isDataError({ code })).toBe(true);
    for (const code of ['08006', '57P01', '42501', '42883', 'ECONNREFUSED']) expect(isDataError({ code })).toBe(false);
    expect(isDataError(new Error('boom'))).toBe(false);
    expect(isDataError(null)).toBe(false);
  });

  it('tells Postgres away (connection, shutdown, resources) by code or by pg message', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) expect(isUnavailable({ code })).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    for (const code of ['23505', '22P02', '42501', '42883']) expect(isUnavailable({ code, message: 'x' })).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });

  it('doubles the wait up to its bound', () => {
    expect(nextBackoff(50, 1000)).toBe(100);
    expect(nextBackoff(800, 1000)).toBe(1000);
  });
});
