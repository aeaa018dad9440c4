// What a caller hears after hours about when the line opens: the day (today, tomorrow or a
// weekday) and the time on the line's own clock, then the same moment on the caller's clock
// when their region is known and its clock differs. Prompt names only; the text per language
// lives in pbx-config/prompts/<lang>.tsv (hour-N and minute-N carry the grammar of each).
import { localParts } from './business-hours.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface CallerRegion {
  /** Digits the caller's number starts with (country code included, no "+"), e.g. "7383". */
  prefix: string;
  timeZone: string;
}

/** The time zone of the caller's region: the longest matching prefix, or null when unknown. */
export function callerTimeZone(callerNumber: string | null, regions: readonly CallerRegion[]): string | null {
  if (!callerNumber) return null;
  const digits = callerNumber.replace(/\D/g, '');
  let best: CallerRegion | undefined;
  for (const r of regions) if (digits.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  return best?.timeZone ?? null;
}

/** Day word and clock prompts for `at` as seen in `timeZone`, relative to `now` there. */
function clockPrompts(at: Date, now: Date, timeZone: string): { prompts: string[]; text: string } {
  const a = localParts(at, timeZone);
  const n = localParts(now, timeZone);
  const dayDiff = Math.round((Date.UTC(a.y, a.m - 1, a.d) - Date.UTC(n.y, n.m - 1, n.d)) / 86_400_000);
  const weekday = WEEKDAYS[new Date(Date.UTC(a.y, a.m - 1, a.d)).getUTCDay()] as string;
  const day = dayDiff === 0 ? 'day-today' : dayDiff === 1 ? 'day-tomorrow' : `day-${weekday}`;
  const hhmm = `${String(a.hh).padStart(2, '0')}:${String(a.mm).padStart(2, '0')}`;
  return { prompts: [day, `hour-${a.hh}`, `minute-${a.mm}`], text: `${day.slice(4)} ${hhmm} ${timeZone}` };
}

/**
 * The announcement for a line that opens at `opensAt` (from nextOpen), and a short text of it
 * for the call's IVR path. Nothing when the line does not open within the horizon (null).
 */
export function openingAnnouncement(a: { opensAt: Date | null; now: Date; lineTimeZone: string; callerTimeZone: string | null }): { prompts: string[]; text: string } | null {
  if (!a.opensAt) return null;
  const line = clockPrompts(a.opensAt, a.now, a.lineTimeZone);
  const prompts = ['line-opens', ...line.prompts, 'line-time'];
  let text = line.text;
  if (a.callerTimeZone && a.callerTimeZone !== a.lineTimeZone) {
    const mine = clockPrompts(a.opensAt, a.now, a.callerTimeZone);
    // Zones with different names may still show the same clock (Moscow and Simferopol): say it once.
    if (mine.prompts.join() !== line.prompts.join()) {
      prompts.push('your-time', ...mine.prompts);
      text += `; caller ${mine.text}`;
    }
  }
  return { prompts, text };
}
