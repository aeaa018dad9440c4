import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/supervisor/supervisor.routes.js';

describe('report CSV', () => {
  it('has a header row and quotes what needs quoting', () => {
    expect(toCsv([{ name: 'Иванов, Иван', handled: 3, note: 'say "hi"', none: null }])).toBe('name,handled,note,none\n"Иванов, Иван",3,"say ""hi""",\n');
  });
});
