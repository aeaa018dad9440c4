import { describe, expect, it } from 'vitest';
import { callerTimeZone, openingAnnouncement } from '../../src/lines/opening-announcement.js';

const regions = [
  { prefix: '7', timeZone: 'Europe/Moscow' },
  { prefix: '7383', timeZone: 'Asia/Novosibirsk' },
  { prefix: '44', timeZone: 'Europe/London' },
];

describe('when the line opens, as the caller hears it', () => {
  it('finds the caller’s region by the longest prefix, whatever the separators', () => {
    expect(callerTimeZone('+7 (383) 222-33-44', regions)).toBe('Asia/Novosibirsk');
    expect(callerTimeZone('74951234567', regions)).toBe('Europe/Moscow');
    expect(callerTimeZone('12025550100', regions)).toBeNull();
    expect(callerTimeZone(null, regions)).toBeNull();
  });

  it('says tomorrow and the time on the line’s clock', () => {
    // Sunday 2026-11-22 23:00 Moscow; opens Monday 08:00 Moscow (05:00 UTC).
    const a = openingAnnouncement({ opensAt: new Date('2026-11-23T05:00:00Z'), now: new Date('2026-11-22T20:00:00Z'), lineTimeZone: 'Europe/Moscow', callerTimeZone: null });
    expect(a?.prompts).toEqual(['line-opens', 'day-tomorrow', 'hour-8', 'minute-0', 'line-time']);
  });

  it('adds the caller’s own clock when it differs, with its own day', () => {
    // 22:30 Moscow on Sunday is already Monday 02:30 in Novosibirsk; opening is Monday 08:30 Moscow = 12:30 there.
    const a = openingAnnouncement({ opensAt: new Date('2026-11-23T05:30:00Z'), now: new Date('2026-11-22T19:30:00Z'), lineTimeZone: 'Europe/Moscow', callerTimeZone: 'Asia/Novosibirsk' });
    expect(a?.prompts).toEqual(['line-opens', 'day-tomorrow', 'hour-8', 'minute-30', 'line-time', 'your-time', 'day-today', 'hour-12', 'minute-30']);
    expect(a?.text).toBe('tomorrow 08:30 Europe/Moscow; caller today 12:30 Asia/Novosibirsk');
  });

  it('names the weekday further ahead, and says nothing twice for a zone with the same clock', () => {
    // Friday 2026-11-27 20:00 Moscow; opens Monday 2026-11-30 09:00 Moscow.
    const a = openingAnnouncement({ opensAt: new Date('2026-11-30T06:00:00Z'), now: new Date('2026-11-27T17:00:00Z'), lineTimeZone: 'Europe/Moscow', callerTimeZone: 'Europe/Simferopol' });
    expect(a?.prompts).toEqual(['line-opens', 'day-mon', 'hour-9', 'minute-0', 'line-time']);
  });

  it('says nothing when the line does not open within the horizon', () => {
    expect(openingAnnouncement({ opensAt: null, now: new Date(), lineTimeZone: 'Europe/Moscow', callerTimeZone: null })).toBeNull();
  });
});
