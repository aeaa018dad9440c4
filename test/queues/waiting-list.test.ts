import { describe, expect, it } from 'vitest';
import { estimateWaitSec, HEAD_RANK, queueAnnouncement, WaitingLists } from '../../src/queues/waiting-list.js';
import type { Line } from '../../src/vocabulary.js';

const ids = (w: WaitingLists, line: Line) => w.entries(line).map((e) => e.id);

describe('waiting lists', () => {
  it('serves callers in the order they took their place, per line', () => {
    const w = new WaitingLists();
    w.insert('first', 'a', 1);
    w.insert('second', 'x', 2);
    w.insert('first', 'b', 3);
    expect(w.shift('first')?.id).toBe('a');
    expect(w.shift('first')?.id).toBe('b');
    expect(w.shift('second')?.id).toBe('x');
    expect(w.shift('first')).toBeUndefined();
  });

  it('puts a caller whose operator did not answer back in front of later callers (they keep their rank)', () => {
    const w = new WaitingLists();
    w.insert('first', 'a', 1);
    w.insert('first', 'b', 2);
    const rung = w.shift('first');
    w.insert('first', rung!.id, rung!.rank);
    expect(ids(w, 'first')).toEqual(['a', 'b']);
  });

  it('puts a transferred caller at the head', () => {
    const w = new WaitingLists();
    w.insert('second', 'a', 1);
    w.insert('second', 't', HEAD_RANK);
    expect(ids(w, 'second')).toEqual(['t', 'a']);
  });

  it('never lists the same caller twice and forgets callers who hang up', () => {
    const w = new WaitingLists();
    w.insert('first', 'a', 1);
    w.insert('first', 'a', 1);
    expect(w.size('first')).toBe(1);
    w.remove('a');
    expect(w.size('first')).toBe(0);
  });
});

describe('callback placeholders', () => {
  it('take the place of the caller who asked: earlier callers stay ahead, later ones behind', () => {
    const w = new WaitingLists();
    w.insert('first', 'early', 100);
    w.insert('first', 'asker', 200);
    w.insert('first', 'late', 300);
    expect(w.replace('asker', 'cb:1')).toBe(true);
    expect(ids(w, 'first')).toEqual(['early', 'cb:1', 'late']);
    expect(w.position('first', 'cb:1')).toBe(2);
    // Callers arriving after the callback was booked go behind it too.
    w.insert('first', 'later-still', 400);
    expect(ids(w, 'first')).toEqual(['early', 'cb:1', 'late', 'later-still']);
  });

  it('restored after a restart by rank, in whatever order they are loaded', () => {
    const w = new WaitingLists();
    w.insert('first', 'late', 300);
    w.insert('first', 'cb:1', 200);
    w.insert('first', 'early', 100);
    expect(ids(w, 'first')).toEqual(['early', 'cb:1', 'late']);
  });

  it('count in the wait estimate like any caller ahead', () => {
    const w = new WaitingLists();
    w.insert('first', 'cb:1', 1);
    w.insert('first', 'me', 2);
    expect(estimateWaitSec(w.position('first', 'me'), 300, 1)).toBe(600);
    expect(estimateWaitSec(2, 300, 2)).toBe(300);
    expect(estimateWaitSec(2, 300, 0)).toBe(600);
  });
});

describe('what a waiting caller is told', () => {
  it('nothing at the head of the line', () => {
    expect(queueAnnouncement({ position: 1, ewtSec: 600, reliable: true })).toEqual([]);
  });
  it('their place, and the wait only when the estimate is reliable', () => {
    expect(queueAnnouncement({ position: 3, ewtSec: 400, reliable: false })).toEqual(['queue-ahead-2']);
    expect(queueAnnouncement({ position: 3, ewtSec: 400, reliable: true })).toEqual(['queue-ahead-2', 'queue-wait-10']);
    expect(queueAnnouncement({ position: 2, ewtSec: 30, reliable: true })).toEqual(['queue-ahead-1', 'queue-wait-1']);
    expect(queueAnnouncement({ position: 15, ewtSec: 4000, reliable: true })).toEqual(['queue-ahead-many', 'queue-wait-long']);
  });
});
