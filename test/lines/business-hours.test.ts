import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidBusinessHoursError, isOpen, nextOpen, parseBusinessHours, startOfDay } from '../../src/lines/business-hours.js';

const shipped = async () => parseBusinessHours(JSON.parse(await readFile('pbx-config/business-hours.json', 'utf8')));

describe('business hours', () => {
  it("opens and closes on the line's own clock (Moscow, UTC+3)", async () => {
    const h = (await shipped()).lines.second!;
    // Monday 2026-11-23 09:00 in Moscow is 06:00 UTC.
    expect(isOpen(h, new Date('2026-11-23T06:00:00Z'))).toBe(true);
    expect(isOpen(h, new Date('2026-11-23T05:59:00Z'))).toBe(false);
    expect(nextOpen(h, new Date('2026-11-23T03:00:00Z'))).toEqual(new Date('2026-11-23T06:00:00Z'));
    // Friday evening: next opening is Monday morning.
    expect(nextOpen(h, new Date('2026-11-27T16:00:00Z'))).toEqual(new Date('2026-11-30T06:00:00Z'));
  });
  it('skips holidays', async () => {
    const h = (await shipped()).lines.second!;
    // 2027-01-01 is a Friday and a holiday; then the weekend; 2027-01-04 is Monday.
    expect(nextOpen(h, new Date('2026-12-31T16:00:00Z'))).toEqual(new Date('2027-01-04T06:00:00Z'));
  });
  it('rejects a bad document with the path of the error', () => {
    expect(() => parseBusinessHours({ first: {}, second: {} })).toThrow(InvalidBusinessHoursError);
    const ok = { timeZone: 'Nowhere/City', week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
    expect(() => parseBusinessHours({ first: ok, second: ok })).toThrow(/timeZone/);
  });

  it("knows when today began on a line's clock (the wallboard's day)", () => {
    expect(startOfDay(new Date('2026-11-22T22:30:00Z'), 'Europe/Moscow').toISOString()).toBe('2026-11-22T21:00:00.000Z');
    expect(startOfDay(new Date('2026-11-22T20:30:00Z'), 'Europe/Moscow').toISOString()).toBe('2026-11-21T21:00:00.000Z');
    expect(startOfDay(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });
});
