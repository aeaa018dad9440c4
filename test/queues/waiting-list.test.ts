import { describe, expect, it } from 'vitest';
import { WaitingLists } from '../../src/queues/waiting-list.js';

describe('waiting lists', () => {
  it('serves callers first come first served, per line', () => {
    const w = new WaitingLists();
    w.push('first', 'a');
    w.push('second', 'x');
    w.push('first', 'b');
    expect(w.shift('first')).toBe('a');
    expect(w.shift('first')).toBe('b');
    expect(w.shift('second')).toBe('x');
    expect(w.shift('first')).toBeUndefined();
  });

  it('puts a caller whose operator did not answer back at the head, not behind later callers', () => {
    const w = new WaitingLists();
    w.push('first', 'a');
    w.push('first', 'b');
    const rung = w.shift('first') as string;
    w.returnToHead('first', rung);
    expect(w.position('first', 'a')).toBe(1);
    expect(w.position('first', 'b')).toBe(2);
  });

  it('never lists the same caller twice and forgets callers who hang up', () => {
    const w = new WaitingLists();
    w.push('first', 'a');
    w.push('first', 'a');
    expect(w.size('first')).toBe(1);
    w.remove('a');
    expect(w.size('first')).toBe(0);
  });
});
