// The running lines configuration and its file (like src/ivr/ivr-flow.store.ts). A replacement is
// validated in full first, then checked against what depends on the lines (the running IVR flow
// must still route only to lines callers can reach); a refused one leaves the file and the catalog
// as they were. The catalog is swapped whole, so a reader never sees half a configuration; the
// checks and the swap happen together, with no wait between them (the IVR store does the same), so
// a flow change cannot slip in between a check and the swap. Checks that must read Postgres
// (operators serving a removed line) come between a first round of the others and that one.
import { AtomicJsonFile } from './atomic-json-file.js';
import { LineCatalog, type LineDefinition } from './line-catalog.js';
import { loadLinesFile, parseLines } from './line-config.js';

/** Throws (an AppError) when the running service cannot take `next`; says why. */
export type LinesCheck = (next: LineCatalog) => void;

export class LineConfigStore {
  private readonly checks: LinesCheck[] = [];
  private readonly readingChecks: ((next: LineCatalog) => Promise<void>)[] = [];
  private readonly replacedListeners: ((lines: LineCatalog) => void)[] = [];

  private constructor(private readonly file: AtomicJsonFile, readonly catalog: LineCatalog, private source: unknown) {}

  static async open(file: string): Promise<LineConfigStore> {
    const { lines, source } = await loadLinesFile(file);
    return new LineConfigStore(new AtomicJsonFile(file), new LineCatalog(lines), source);
  }

  /** The document as validated, for the admin API to show back. */
  current(): unknown {
    return this.source;
  }

  /** A veto on replacements (the IVR flow's routes), asked before anything changes. */
  check(fn: LinesCheck): void {
    this.checks.push(fn);
  }

  /**
   * A veto that must read first (Postgres: which operators serve a line), asked after the checks
   * and before they are asked again with the swap. What it read may change before the swap.
   */
  checkReading(fn: (next: LineCatalog) => Promise<void>): void {
    this.readingChecks.push(fn);
  }

  /** Told after each replacement is running and saved. */
  onReplaced(fn: (lines: LineCatalog) => void): void {
    this.replacedListeners.push(fn);
  }

  async replace(doc: unknown): Promise<readonly LineDefinition[]> {
    const lines = parseLines(doc);
    const next = new LineCatalog(lines);
    for (const fn of this.checks) fn(next); // the cheap ones first: no read for a refused document
    if (this.readingChecks.length) {
      for (const fn of this.readingChecks) await fn(next);
      for (const fn of this.checks) fn(next); // again, with the swap: the flow or the queues may have changed meanwhile
    }
    const before = { lines: this.catalog.all(), source: this.source };
    this.catalog.replace(lines);
    this.source = doc;
    try {
      await this.file.write(doc);
    } catch (err) {
      // Not saved: the lines that were running run on, unless another replacement came since.
      if (this.source === doc) {
        this.catalog.replace(before.lines);
        this.source = before.source;
      }
      throw err;
    }
    for (const fn of this.replacedListeners) fn(this.catalog);
    return lines;
  }
}
