// Business hours per line, in the line's own time zone, with holidays. Pure functions over a
// validated document (pbx-config/business-hours.json). Callbacks ring only while the line is
// open; the IVR's `hours` verb branches on it and tells the caller when the line opens, also on
// the caller's own clock when `callerRegions` maps their number's prefix to a time zone.
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import type { Line } from '../vocabulary.js';

const Window = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$' });
const Day = Type.Array(Window);
const LineHours = Type.Object(
  {
    timeZone: Type.String({ minLength: 1 }),
    week: Type.Object(
      { mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day, sun: Day },
      { additionalProperties: false },
    ),
    holidays: Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
  },
  { additionalProperties: false },
);
const Region = Type.Object({ prefix: Type.String({ pattern: '^[0-9]{1,8}$' }), timeZone: Type.String({ minLength: 1 }) }, { additionalProperties: false });
// Every key but callerRegions is a line's id: lines are configuration (issue 21).
const HoursDoc = Type.Object({ callerRegions: Type.Optional(Type.Array(Region)) }, { additionalProperties: LineHours });
export type LineHours = Static<typeof LineHours>;
export type Region = Static<typeof Region>;
export interface BusinessHours {
  lines: Readonly<Record<Line, LineHours>>;
  callerRegions?: Region[];
}

/** A line with no hours of its own in the file is open around the clock. */
const ALWAYS_OPEN: LineHours = { timeZone: 'UTC', week: { mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] }, holidays: [] };

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export class InvalidBusinessHoursError extends Error {}

export function parseBusinessHours(doc: unknown): BusinessHours {
  const errs = [...Value.Errors(HoursDoc, doc)].filter((e) => e.keyword !== 'boolean');
  if (errs.length) throw new InvalidBusinessHoursError(errs.map((e) => `${e.instancePath || '/'}: ${e.message}`).join('; '));
  const { callerRegions, ...lines } = doc as { callerRegions?: Region[] } & Record<Line, LineHours>;
  const h: BusinessHours = { lines, ...(callerRegions ? { callerRegions } : {}) };
  const zones: [string, string][] = Object.entries(lines).map(([line, l]) => [`/${line}/timeZone`, l.timeZone]);
  (h.callerRegions ?? []).forEach((r, i) => zones.push([`/callerRegions/${i}/timeZone`, r.timeZone]));
  for (const [where, zone] of zones) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      throw new InvalidBusinessHoursError(`${where}: unknown time zone ${zone}`);
    }
  }
  return h;
}

export async function loadBusinessHours(file: string): Promise<BusinessHours> {
  return parseBusinessHours(JSON.parse(await readFile(file, 'utf8')));
}

/**
 * One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one,
 * and every inbound call asks whether its line is open (6 % of the service's CPU under load).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; hh: number; mm: number } {
  const f = formatterFor(timeZone);
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hh: Number(p.hour), mm: Number(p.minute) };
}

/** The instant at which the clock in `timeZone` shows y-m-d hh:mm (DST gaps resolve forward). */
function instantOf(y: number, m: number, d: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm);
    guess += wall - shown;
  }
  return new Date(guess);
}

/** Midnight of `at`'s day on the clock of `timeZone` ("today" for the wallboard). */
export function startOfDay(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  return instantOf(p.y, p.m, p.d, 0, timeZone);
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `at` itself when the line is open then, else the next opening; null if closed for 30 days. */
export function nextOpen(h: LineHours, at: Date): Date | null {
  const start = localParts(at, h.timeZone);
  for (let i = 0; i < 30; i++) {
    const day = new Date(Date.UTC(start.y, start.m - 1, start.d + i));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (h.holidays.includes(iso)) continue;
    for (const w of h.week[DAYS[day.getUTCDay()] as (typeof DAYS)[number]]) {
      const [from, to] = w.split('-') as [string, string];
      const open = instantOf(y, m, d, toMin(from), h.timeZone);
      const close = instantOf(y, m, d, toMin(to), h.timeZone);
      if (at < close) return at > open ? at : open;
    }
  }
  return null;
}

export function isOpen(h: LineHours, at: Date): boolean {
  return nextOpen(h, at)?.getTime() === at.getTime();
}

export function hoursOf(b: BusinessHours, line: Line): LineHours {
  return b.lines[line] ?? ALWAYS_OPEN;
}
