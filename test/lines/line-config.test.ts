import { describe, expect, it } from 'vitest';
import { InvalidLinesError } from '../../src/errors.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { loadLinesFile, parseLines } from '../../src/lines/line-config.js';

type Doc = { lines: Record<string, unknown>[] };

const line = (id: string, more: Record<string, unknown> = {}) => ({
  id,
  name: { ru: `Линия ${id}`, en: `Line ${id}` },
  fallbackQueue: 'first-line',
  ...more,
});

/** The problems parseLines reports for a document, as path → message. */
function problems(doc: unknown): { path: string; message: string }[] {
  try {
    parseLines(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidLinesError);
    return (err as InvalidLinesError).details?.errors as { path: string; message: string }[];
  }
  throw new Error('the document was accepted');
}

const paths = (doc: unknown) => problems(doc).map((p) => p.path);

describe('lines configuration', () => {
  it('pbx-config/lines.json is exactly the built-in defaults: an existing installation changes nothing', async () => {
    const { lines } = await loadLinesFile('pbx-config/lines.json');
    expect(lines).toEqual(LineCatalog.defaults().all());
  });

  it('the three-line test configuration: third is reached only by escalation from second', async () => {
    const catalog = new LineCatalog((await loadLinesFile('test/fixtures/lines-three.json')).lines);
    expect(catalog.ids()).toEqual(['first', 'second', 'third']);
    expect(catalog.next('first')).toBe('second');
    expect(catalog.next('second')).toBe('third');
    expect(catalog.get('third')).toMatchObject({ escalationOnly: true, fallbackQueue: 'second-line' });
    expect(catalog.get('first')).toMatchObject({ widenAfterSec: 5, stickyRingSec: 4 });
    expect(catalog.level('third')).toBe(2);
  });

  it('fills the optional fields with their defaults', () => {
    expect(parseLines({ lines: [line('billing')] })).toEqual([
      { id: 'billing', name: { ru: 'Линия billing', en: 'Line billing' }, escalatesTo: null, escalationOnly: false, fallbackQueue: 'first-line', widenAfterSec: 30, stickyRingSec: 0 },
    ]);
  });

  it('reports every shape problem at once, each with its path', () => {
    const doc: Doc = {
      lines: [
        { id: 'Billing', name: { ru: 'Биллинг' }, fallbackQueue: 'first-line' },
        line('vip', { fallbackQueue: 'vip,line', widenAfterSec: -1, stickyRingSec: 500, colour: 'red' }),
      ],
    };
    expect(paths(doc)).toEqual(expect.arrayContaining(['/lines/0/id', '/lines/0/name/en', '/lines/1/fallbackQueue', '/lines/1/widenAfterSec', '/lines/1/stickyRingSec', '/lines/1/colour']));
    expect(paths({ lines: [] })).toEqual(['/lines']);
    expect(paths({ lines: [line('a')], extra: 1 })).toEqual(['/extra']);
    expect(paths([line('a')]).length).toBeGreaterThan(0);
  });

  it('refuses duplicate ids and escalation to a line that does not exist or to itself', () => {
    const found = problems({ lines: [line('first', { escalatesTo: 'second' }), line('first'), line('vip', { escalatesTo: 'vip' }), line('en', { escalatesTo: 'gold' })] });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: '/lines/1/id', message: '"first" is already the id of /lines/0' },
        { path: '/lines/0/escalatesTo', message: '"second" is not a line of this document' },
        { path: '/lines/2/escalatesTo', message: 'a line cannot escalate to itself' },
        { path: '/lines/3/escalatesTo', message: '"gold" is not a line of this document' },
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('refuses a cycle in the escalation order, once, at its first line', () => {
    const found = problems({ lines: [line('first', { escalatesTo: 'second' }), line('second', { escalatesTo: 'third' }), line('third', { escalatesTo: 'first' }), line('vip', { escalatesTo: 'second' })] });
    expect(found).toEqual([{ path: '/lines/0/escalatesTo', message: 'the escalation order goes round in a cycle: first → second → third → first' }]);
  });

  it('needs a line the IVR can route callers to, and an escalation-only line some line escalates to', () => {
    expect(problems({ lines: [line('a', { escalationOnly: true, escalatesTo: 'b' }), line('b', { escalationOnly: true })] })).toEqual(
      expect.arrayContaining([{ path: '/lines', message: 'every line is escalation-only: at least one line must take callers from the IVR' }]),
    );
    expect(paths({ lines: [line('first'), line('helpdesk', { escalationOnly: true })] })).toEqual(['/lines/1/escalationOnly']);
  });

  it("reads a line's own service level, SLA targets and wrap-up; absent, they stay absent", () => {
    const [vip, plain] = parseLines({
      lines: [line('vip', { serviceLevel: { withinSec: 10, percent: 95 }, sla: 'critical=30m/4h, high=2h/1d', wrapUp: { sec: 45, rule: 'always' } }), line('plain', { wrapUp: { rule: 'panel' } })],
    });
    expect(vip).toMatchObject({ serviceLevel: { withinSec: 10, share: 0.95 }, sla: { critical: { firstResponseSec: 1800, resolutionSec: 14_400 }, high: { firstResponseSec: 7200, resolutionSec: 86_400 } }, wrapUp: { sec: 45, rule: 'always' } });
    expect(Object.keys(vip?.sla ?? {}).sort()).toEqual(['critical', 'high']);
    expect(plain?.wrapUp).toEqual({ rule: 'panel' });
    expect(plain && ['serviceLevel', 'sla'].filter((k) => k in plain)).toEqual([]);
  });

  it("refuses a bad service level, SLA or wrap-up at its path, with the lines' other problems", () => {
    const found = problems({
      lines: [
        line('a', { serviceLevel: { withinSec: 0, percent: 100 }, wrapUp: { sec: -1, rule: 'sometimes', note: true } }),
        line('b', { serviceLevel: { percent: 80 }, sla: 'urgent=1h/1d' }),
        line('c', { sla: 'high=4h/2d,high=1h/1d', escalatesTo: 'gold' }),
        line('d', { sla: 'normal=1x/2d' }),
      ],
    });
    expect(found.map((p) => p.path).sort()).toEqual(
      ['/lines/0/serviceLevel/percent', '/lines/0/serviceLevel/withinSec', '/lines/0/wrapUp/note', '/lines/0/wrapUp/rule', '/lines/0/wrapUp/sec', '/lines/1/serviceLevel/withinSec'],
    );
    expect(found).toContainEqual({ path: '/lines/0/wrapUp/rule', message: 'must be one of never, panel, always' });
    // The SLA strings are read once the shape is right: a document with shape problems reports those first.
    const slas = problems({ lines: [line('b', { sla: 'urgent=1h/1d' }), line('c', { sla: 'high=4h/2d,high=1h/1d', escalatesTo: 'gold' }), line('d', { sla: 'normal=1x/2d' })] });
    expect(slas).toEqual([
      { path: '/lines/0/sla', message: expect.stringMatching(/"urgent=1h\/1d" is not priority=/) as unknown as string },
      { path: '/lines/1/sla', message: '"high" is given twice' },
      { path: '/lines/2/sla', message: expect.stringMatching(/"normal=1x\/2d" is not priority=/) as unknown as string },
      { path: '/lines/1/escalatesTo', message: '"gold" is not a line of this document' },
    ]);
    expect(paths({ lines: [line('a', { sla: '' })] })).toEqual(['/lines/0/sla']);
  });

  it('an unreadable file is refused naming the file', async () => {
    await expect(loadLinesFile('/nonexistent/lines.json')).rejects.toThrow(/cannot read \/nonexistent\/lines.json/);
  });
});
