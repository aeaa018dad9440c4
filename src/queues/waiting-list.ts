// Callers waiting per line, first come first served. A caller whose operator did not
// answer goes back to the head, never behind callers who came later.
import type { Line } from '../operators/operator.table.js';

export class WaitingLists {
  private readonly lists = new Map<Line, string[]>([
    ['first', []],
    ['second', []],
  ]);

  private list(line: Line): string[] {
    return this.lists.get(line) as string[];
  }

  push(line: Line, callId: string): void {
    if (!this.list(line).includes(callId)) this.list(line).push(callId);
  }

  returnToHead(line: Line, callId: string): void {
    this.remove(callId);
    this.list(line).unshift(callId);
  }

  shift(line: Line): string | undefined {
    return this.list(line).shift();
  }

  peek(line: Line): string | undefined {
    return this.list(line)[0];
  }

  remove(callId: string): void {
    for (const l of this.lists.values()) {
      const i = l.indexOf(callId);
      if (i >= 0) l.splice(i, 1);
    }
  }

  size(line: Line): number {
    return this.list(line).length;
  }

  position(line: Line, callId: string): number {
    return this.list(line).indexOf(callId) + 1;
  }
}
