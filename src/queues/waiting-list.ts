// Callers waiting per line, ordered by rank: the moment they took their place (entered the
// queue). A callback placeholder ("cb:<id>") carries the rank of the caller who asked for it,
// so it keeps that place: nobody who came earlier is overtaken, nobody later gets ahead.
// A caller whose operator did not answer keeps their rank too, and is therefore back in front.
import type { Line } from '../vocabulary.js';

export interface WaitingEntry {
  id: string;
  rank: number;
}

/** A callback placeholder's entry id, and back: the one place that knows the "cb:" encoding. */
export const placeholderId = (callbackId: string) => `cb:${callbackId}`;
export const callbackIdOf = (entryId: string): string | undefined => (entryId.startsWith('cb:') ? entryId.slice(3) : undefined);

export interface QueueEntry {
  position: number;
  kind: 'call' | 'callback';
  id: string;
  /** When they took their place; null for a transferred caller put at the head. */
  since: string | null;
}

/** Rank for "in front of everyone" (a transferred caller, who waited already elsewhere). */
export const HEAD_RANK = Number.NEGATIVE_INFINITY;

export class WaitingLists {
  /** Per line, made on a line's first use: which lines exist is configuration (LineCatalog). */
  private readonly lists = new Map<Line, WaitingEntry[]>();

  private list(line: Line): WaitingEntry[] {
    let l = this.lists.get(line);
    if (!l) this.lists.set(line, (l = []));
    return l;
  }

  /** The lines with someone waiting now. */
  linesWaiting(): Line[] {
    return [...this.lists].filter(([, l]) => l.length > 0).map(([line]) => line);
  }

  /** Places an entry by rank; among equal ranks, the one placed first stays first. */
  insert(line: Line, id: string, rank: number): void {
    this.remove(id);
    const l = this.list(line);
    const i = l.findIndex((e) => e.rank > rank);
    if (i < 0) l.push({ id, rank });
    else l.splice(i, 0, { id, rank });
  }

  /** Swaps an entry's id in place (a queued caller's own entry becomes their callback placeholder). */
  replace(oldId: string, newId: string): boolean {
    for (const l of this.lists.values()) {
      const e = l.find((x) => x.id === oldId);
      if (e) {
        e.id = newId;
        return true;
      }
    }
    return false;
  }

  shift(line: Line): WaitingEntry | undefined {
    return this.list(line).shift();
  }

  peek(line: Line): WaitingEntry | undefined {
    return this.list(line)[0];
  }

  rankOf(id: string): number | undefined {
    for (const l of this.lists.values()) {
      const e = l.find((x) => x.id === id);
      if (e) return e.rank;
    }
    return undefined;
  }

  remove(id: string): void {
    for (const l of this.lists.values()) {
      const i = l.findIndex((e) => e.id === id);
      if (i >= 0) l.splice(i, 1);
    }
  }

  size(line: Line): number {
    return this.list(line).length;
  }

  /** 1-based position of an entry in its line, 0 when it is not waiting. */
  position(line: Line, id: string): number {
    return this.list(line).findIndex((e) => e.id === id) + 1;
  }

  entries(line: Line): readonly WaitingEntry[] {
    return this.list(line);
  }

  /** The line as the API shows it: callers and callback placeholders ("cb:<id>") in order. */
  describe(line: Line): QueueEntry[] {
    return this.list(line).map((e, i) => {
      const callbackId = callbackIdOf(e.id);
      return { position: i + 1, kind: callbackId ? 'callback' : 'call', id: callbackId ?? e.id, since: Number.isFinite(e.rank) ? new Date(e.rank).toISOString() : null };
    });
  }
}

/**
 * An estimate of the wait of the caller at `position`: the callers ahead share the line's
 * staffed operators, each call taking the line's average handle time.
 */
export function estimateWaitSec(position: number, avgHandleSec: number, staffed: number): number {
  return Math.round((position * avgHandleSec) / Math.max(1, staffed));
}

/** Minutes the wait prompts exist for; an estimate is rounded up to the next one. */
export const WAIT_BUCKETS_MIN = [1, 2, 3, 5, 10, 15, 20, 30] as const;

/**
 * What a waiting caller is told, as prompt names: nothing for the caller at the head (they are
 * next), their place otherwise, and the estimated wait only when the estimate is worth saying
 * (enough finished calls to know the handle time, and somebody logged in to take the calls).
 */
export function queueAnnouncement(a: { position: number; ewtSec: number; reliable: boolean }): string[] {
  if (a.position <= 1) return [];
  const ahead = a.position - 1;
  const out = [ahead <= 9 ? `queue-ahead-${ahead}` : 'queue-ahead-many'];
  if (a.reliable) {
    const min = Math.max(1, Math.ceil(a.ewtSec / 60));
    const bucket = WAIT_BUCKETS_MIN.find((b) => b >= min);
    out.push(bucket ? `queue-wait-${bucket}` : 'queue-wait-long');
  }
  return out;
}
