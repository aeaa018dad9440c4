import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidIvrFlowError } from '../../src/errors.js';
import type { IvrContext, Language } from '../../src/ivr/ivr-context.js';
import { parseFlow } from '../../src/ivr/ivr-flow.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { parseLines } from '../../src/lines/line-config.js';
import { runFlow } from '../../src/ivr/ivr-runner.js';
import type { Line } from '../../src/vocabulary.js';

/** A caller scripted as the digits they key after each prompt (null: silence). */
class ScriptedCaller implements IvrContext {
  language: Language = 'ru';
  played: string[] = [];
  steps: string[] = [];
  private buffer: string[] = [];
  constructor(private readonly script: (string | null)[]) {}
  async setLanguage(l: Language) {
    this.language = l;
  }
  async play(prompt: string, opts: { interruptible: boolean }) {
    if (opts.interruptible && this.buffer.length) return;
    this.played.push(`${this.language}/${prompt}`);
  }
  async readDigit() {
    if (this.buffer.length) return this.buffer.shift() as string;
    const next = this.script.shift();
    return next === undefined ? null : next;
  }
  clearDigits() {
    this.buffer = [];
  }
  async recordStep(s: string) {
    this.steps.push(s);
  }
  typeAhead(d: string) {
    this.buffer.push(d);
  }
  keyedTickets: string[] = [];
  tickets: Record<string, Line | null> = { '100042': 'second' };
  async readDigits() {
    return this.readDigit();
  }
  async attachTicket(keyed: string) {
    this.keyedTickets.push(keyed);
    const known = keyed in this.tickets;
    return { found: known, line: known ? (this.tickets[keyed] ?? null) : null };
  }
  /** The one code that verifies; every other counts as wrong, three per call. */
  goodCode = '123456';
  wrong = 0;
  async verifyCode(code: string) {
    if (this.wrong >= 3) return { outcome: 'throttled', triesLeft: 0 };
    if (code === this.goodCode) return { outcome: 'verified', triesLeft: 3 - this.wrong };
    this.wrong++;
    return { outcome: 'wrong', triesLeft: 3 - this.wrong };
  }
  async verifyTriesLeft() {
    return 3 - this.wrong;
  }
  open = true;
  voicemails: number[] = [];
  isLineOpen() {
    return this.open;
  }
  callbackRequested = false;
  requestCallback() {
    this.callbackRequested = true;
  }
  lineOpening() {
    return this.open ? null : { prompts: ['line-opens', 'day-tomorrow', 'hour-8', 'minute-0', 'line-time'], text: 'tomorrow 08:00 Europe/Moscow' };
  }
  async recordVoicemail(maxSec: number) {
    this.voicemails.push(maxSec);
  }
}

/** Today's two lines, as pbx-config/lines.json has them. */
const lines = LineCatalog.defaults();
const flow = async () => parseFlow(JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')), lines);

describe('the shipped IVR flow', () => {
  it('routes 1 to the first line and 2 to the second', async () => {
    expect(await runFlow(await flow(), new ScriptedCaller(['1']))).toBe('first');
    const c = new ScriptedCaller(['2']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.steps).toEqual(['menu:main-menu=2']);
    expect(c.played).toEqual(['ru/greeting', 'ru/main-menu']);
  });

  it('sends the caller to a person after two empty or invalid inputs, never dropping them', async () => {
    const c = new ScriptedCaller([null, '7']);
    expect(await runFlow(await flow(), c)).toBe('first');
    expect(c.steps).toEqual(['menu:main-menu=timeout', 'menu:main-menu=7']);
    expect(c.played).toContain('ru/invalid');
  });

  it('lets 0 reach a person from any menu', async () => {
    expect(await runFlow(await flow(), new ScriptedCaller(['0']))).toBe('first');
    expect(await runFlow(await flow(), new ScriptedCaller(['9', '0']))).toBe('first');
  });

  it('switches to English on 9 and keeps the language for the next prompts', async () => {
    const c = new ScriptedCaller(['9', '2']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.language).toBe('en');
    expect(c.played.at(-1)).toBe('en/main-menu');
  });

  it('lets a caller who knows the menu key ahead: no prompt waits for them', async () => {
    const c = new ScriptedCaller([]);
    c.typeAhead('2');
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.played).toEqual([]);
  });
});

describe('existing tickets', () => {
  it('attaches the call to a known ticket and routes it to the line that owns the ticket', async () => {
    const c = new ScriptedCaller(['3', '100042']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.keyedTickets).toEqual(['100042']);
    expect(c.steps).toEqual(['menu:main-menu=3', 'ticket:100042=found']);
  });

  it('asks again once for an unknown number, keeps both numbers, then goes on to the menu', async () => {
    const c = new ScriptedCaller(['3', '555', '777', '1']);
    expect(await runFlow(await flow(), c)).toBe('first');
    expect(c.keyedTickets).toEqual(['555', '777']);
    expect(c.played).toContain('ru/ticket-unknown');
    expect(c.steps).toEqual(['menu:main-menu=3', 'ticket:555=unknown', 'ticket:777=unknown', 'menu:main-menu=1']);
  });

  it('goes on without a ticket when nothing is keyed', async () => {
    const c = new ScriptedCaller(['3', null, '2']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.steps).toEqual(['menu:main-menu=3', 'ticket:none', 'menu:main-menu=2']);
  });
});

describe('IVR flow validation', () => {
  const errorsOf = (doc: unknown) => {
    try {
      parseFlow(doc, lines);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidIvrFlowError);
      return ((e as InvalidIvrFlowError).details?.errors as { path: string; message: string }[]).map((x) => x.path);
    }
    throw new Error('flow was accepted');
  };

  it('names the exact path of a bad verb field', () => {
    expect(errorsOf({ start: 'a', nodes: { a: [{ verb: 'menu', prompt: 'x', timeoutSec: 0, maxAttempts: 2, options: {} }] } })).toContain(
      '/nodes/a/0/timeoutSec',
    );
  });

  it('rejects unknown verbs, missing start nodes and dangling gotos', () => {
    expect(errorsOf({ start: 'a', nodes: { a: [{ verb: 'dance' }] } })).toEqual(['/nodes/a/0/verb']);
    expect(errorsOf({ start: 'b', nodes: { a: [{ verb: 'route', line: 'first' }] } })).toEqual(['/start']);
    expect(
      errorsOf({
        start: 'a',
        nodes: { a: [{ verb: 'menu', prompt: 'm', timeoutSec: 5, maxAttempts: 2, options: { '1': { goto: 'nowhere' } } }] },
      }),
    ).toEqual(['/nodes/a/0/options/1/goto']);
  });

  it('rejects a document that is not a flow at all', () => {
    expect(errorsOf({ nodes: 3 })).toEqual(expect.arrayContaining(['/nodes']));
  });
});

describe('the verify verb', () => {
  it('verifies with the right code and goes on with the menu', async () => {
    const c = new ScriptedCaller(['4', '123456', '2']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.steps).toEqual(['menu:main-menu=4', 'verify:verified', 'menu:main-menu=2']);
    expect(c.played).toContain('ru/verify-ok');
  });

  it('asks again after a wrong code, and never writes the digits into the IVR path', async () => {
    const c = new ScriptedCaller(['4', '000000', '123456', '1']);
    expect(await runFlow(await flow(), c)).toBe('first');
    expect(c.steps).toEqual(['menu:main-menu=4', 'verify:wrong', 'verify:verified', 'menu:main-menu=1']);
    expect(c.steps.join()).not.toContain('000000');
    expect(c.played.filter((p) => p === 'ru/verify-wrong')).toHaveLength(1);
  });

  it('routes the caller on unverified after three wrong codes', async () => {
    const c = new ScriptedCaller(['4', '000001', '000002', '000003', '1']);
    expect(await runFlow(await flow(), c)).toBe('first');
    expect(c.steps).toEqual(['menu:main-menu=4', 'verify:wrong', 'verify:wrong', 'verify:wrong', 'menu:main-menu=1']);
    expect(c.played).toContain('ru/verify-failed');
  });

  it('goes on when the caller keys nothing', async () => {
    const c = new ScriptedCaller(['4', null, '2']);
    expect(await runFlow(await flow(), c)).toBe('second');
    expect(c.steps).toEqual(['menu:main-menu=4', 'verify:none', 'menu:main-menu=2']);
  });
});

describe('after hours', () => {
  it('goes on as usual while the first line is open', async () => {
    const c = new ScriptedCaller(['1']);
    expect(await runFlow(await flow(), c)).toBe('first');
    expect(c.voicemails).toEqual([]);
  });

  it('tells the caller the line is closed and when it opens, takes a voicemail, then ends the call', async () => {
    const c = new ScriptedCaller([]);
    c.open = false;
    expect(await runFlow(await flow(), c)).toBe('hangup');
    expect(c.steps).toEqual(['hours:first=closed', 'hours:first=opens tomorrow 08:00 Europe/Moscow', 'voicemail']);
    expect(c.played).toEqual(['ru/greeting', 'ru/closed', 'ru/line-opens', 'ru/day-tomorrow', 'ru/hour-8', 'ru/minute-0', 'ru/line-time', 'ru/voicemail', 'ru/voicemail-thanks']);
    expect(c.voicemails).toEqual([120]);
  });
});

describe('the callback verb', () => {
  const offer = () =>
    parseFlow({ start: 'main', nodes: { main: [{ verb: 'callback', line: 'second', prompt: 'callback-ivr-offer' }, { verb: 'route', line: 'first' }] } }, lines);
  it('routes a caller who takes the offer to its line with the callback menu requested', async () => {
    const c = new ScriptedCaller(['1']);
    expect(await runFlow(offer(), c)).toBe('second');
    expect(c.callbackRequested).toBe(true);
    expect(c.steps).toEqual(['callback-offer:second=yes']);
  });
  it('goes on in the flow for any other key or silence', async () => {
    const c = new ScriptedCaller([null]);
    expect(await runFlow(offer(), c)).toBe('first');
    expect(c.callbackRequested).toBe(false);
    expect(c.steps).toEqual(['callback-offer:second=no', 'route:first']);
  });
});

describe('overflow rules in the flow', () => {
  it('are validated with the path of a bad target', async () => {
    const doc = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as Record<string, unknown>;
    doc.overflow = { first: { maxWaitSec: 60, action: { goto: 'nowhere' } } };
    expect(() => parseFlow(doc, lines)).toThrow(InvalidIvrFlowError);
    try {
      parseFlow(doc, lines);
    } catch (err) {
      expect((err as InvalidIvrFlowError).details).toMatchObject({ errors: [{ path: '/overflow/first/action/goto' }] });
    }
  });
  it('ship with the default flow, with an English number', async () => {
    expect((await flow()).languages).toEqual({ '88005553536': 'en' });
    expect((await flow()).overflow).toMatchObject({ first: { maxWaitSec: 900 }, second: { action: { route: 'first' } } });
  });
});

describe('the lines a flow names', () => {
  /** first → second → third, third reached only by escalation (test/fixtures/lines-three.json's shape). */
  const three = new LineCatalog(
    parseLines({
      lines: [
        { id: 'first', name: { ru: '1', en: '1' }, escalatesTo: 'second', fallbackQueue: 'first-line' },
        { id: 'second', name: { ru: '2', en: '2' }, escalatesTo: 'third', fallbackQueue: 'second-line' },
        { id: 'third', name: { ru: '3', en: '3' }, escalationOnly: true, fallbackQueue: 'second-line' },
      ],
    }),
  );
  const problems = (doc: unknown, catalog: LineCatalog) => {
    try {
      parseFlow(doc, catalog);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidIvrFlowError);
      return (e as InvalidIvrFlowError).details?.errors as { path: string; message: string }[];
    }
    throw new Error('flow was accepted');
  };
  const doc = (line: string) => ({
    start: 'main',
    overflow: { [line]: { maxWaitSec: 60, action: { route: line } } },
    nodes: {
      main: [
        { verb: 'hours', line, closed: { route: line } },
        { verb: 'callback', line, prompt: 'callback-ivr-offer' },
        { verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 2, options: { '1': { route: line }, '2': { goto: 'main' } }, onFail: { route: line } },
        { verb: 'route', line },
      ],
    },
  });

  it('refuses every reference to a line that is not configured, naming its path', () => {
    const found = problems(doc('vip'), three);
    expect(found.map((p) => p.path).sort()).toEqual(
      ['/overflow/vip', '/overflow/vip/action/route', '/nodes/main/0/line', '/nodes/main/0/closed/route', '/nodes/main/1/line', '/nodes/main/2/options/1/route', '/nodes/main/2/onFail/route', '/nodes/main/3/line'].sort(),
    );
    expect(found[0]?.message).toMatch(/line "vip" is not configured \(first, second, third\)/);
  });

  it('refuses routing callers to an escalation-only line, but lets the flow ask about its hours', () => {
    const found = problems(doc('third'), three).map((p) => p.path);
    expect(found.sort()).toEqual(['/overflow/third/action/route', '/nodes/main/0/closed/route', '/nodes/main/1/line', '/nodes/main/2/options/1/route', '/nodes/main/2/onFail/route', '/nodes/main/3/line'].sort());
  });

  it("sends a caller the flow has nowhere for to the configuration's front line: its first line callers can reach", async () => {
    const desks = new LineCatalog(parseLines({ lines: [{ id: 'helpdesk', name: { ru: 'h', en: 'h' }, escalationOnly: true, fallbackQueue: 'second-line' }, { id: 'billing', name: { ru: 'b', en: 'b' }, escalatesTo: 'helpdesk', fallbackQueue: 'first-line' }] }));
    const menu = parseFlow({ start: 'main', nodes: { main: [{ verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1, options: { '1': { route: 'billing' } } }] } }, desks);
    expect(await runFlow(menu, new ScriptedCaller(['0']))).toBe('billing');
    expect(await runFlow(menu, new ScriptedCaller([null]))).toBe('billing');
    expect(await runFlow(parseFlow({ start: 'main', nodes: { main: [{ verb: 'play', prompt: 'greeting' }] } }, desks), new ScriptedCaller([]))).toBe('billing');
    expect(await runFlow(await flow(), new ScriptedCaller(['0']))).toBe('first');
  });

  it("sends a caller whose ticket is on a line callers cannot reach (gone, or escalation-only) to the front line", () => {
    const f = parseFlow({ start: 'main', nodes: { main: [{ verb: 'route', line: 'second' }] } }, three);
    expect([f.routeTo('second'), f.routeTo('third'), f.routeTo('gone')]).toEqual(['second', 'first', 'first']);
  });

  it('takes a flow whose lines are configured, and the shipped flow under the three-line configuration', async () => {
    expect(parseFlow(doc('second'), three).nodes.get('main')).toHaveLength(4);
    expect(() => parseFlow(doc('third'), lines)).toThrow(/line "third" is not configured \(first, second\)/);
    expect(parseFlow(JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')), three).start).toBeTruthy();
  });
});
