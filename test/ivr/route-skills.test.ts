// Skills routing from the IVR: a route (the verb, or a menu option) sets the skills the caller
// needs; the shipped flow's English menu requires `en`.
import { readFile } from 'node:fs/promises';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { IvrContext } from '../../src/ivr/ivr-context.js';
import { MenuSchema, MenuVerb } from '../../src/ivr/verbs/menu.verb.js';
import { RouteSchema, RouteVerb } from '../../src/ivr/verbs/route.verb.js';
import type { Skills } from '../../src/queues/skills.js';

/** Keys `digits` one after another; records the skills a route asks for. */
function caller(digits: (string | null)[]): IvrContext & { required: Skills | undefined } {
  return {
    language: 'en',
    required: undefined,
    async setLanguage() {},
    async play() {},
    async readDigit() {
      return digits.shift() ?? null;
    },
    clearDigits() {},
    async recordStep() {},
    async readDigits() {
      return null;
    },
    async attachTicket() {
      return { found: false, line: null };
    },
    async verifyCode() {
      return { outcome: 'wrong', triesLeft: 0 };
    },
    async verifyTriesLeft() {
      return 0;
    },
    isLineOpen: () => true,
    lineOpening: () => null,
    requestCallback() {},
    async recordVoicemail() {},
    requireSkills(skills: Skills) {
      this.required = skills;
    },
  };
}

describe('skills from the IVR', () => {
  it('the route verb sets the skills it names, and none when it names none', async () => {
    const c = caller([]);
    expect(await new RouteVerb({ verb: 'route', line: 'first', skills: { en: 1, billing: 2 } }).execute(c)).toEqual({ kind: 'route', line: 'first' });
    expect(c.required).toEqual({ en: 1, billing: 2 });
    await new RouteVerb({ verb: 'route', line: 'first' }).execute(c);
    expect(c.required).toEqual({});
  });

  it('refuses skills that are not a name with a level 1–5', () => {
    expect(Value.Check(RouteSchema, { verb: 'route', line: 'first', skills: { en: 1 } })).toBe(true);
    for (const skills of [{ en: 0 }, { en: 6 }, { en: 1.5 }, { EN: 1 }, { '': 1 }, { en: '1' }, []]) {
      expect(Value.Check(RouteSchema, { verb: 'route', line: 'first', skills }), JSON.stringify(skills)).toBe(false);
    }
  });

  it("the shipped flow's English menu requires en on every route", async () => {
    const flow = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as { nodes: Record<string, unknown[]> };
    const menu = flow.nodes['menu-en']?.[0];
    expect(Value.Check(MenuSchema, menu)).toBe(true);
    for (const digit of ['1', '2', '0', null]) {
      const c = caller([digit, digit]);
      const r = await new MenuVerb(menu as never).execute(c);
      expect(r.kind).toBe('route');
      expect(c.required, `key ${digit}`).toEqual({ en: 1 });
    }
    // The Russian menu asks for no skill.
    const ru = caller(['1']);
    await new MenuVerb(flow.nodes.main?.find((v) => (v as { verb: string }).verb === 'menu') as never).execute(ru);
    expect(ru.required).toEqual({});
  });
});
