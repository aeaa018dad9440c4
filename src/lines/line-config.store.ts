// The running lines configuration and its file (like src/ivr/ivr-flow.store.ts). A replacement is
// validated in full first, then checked against what depends on the lines (the running IVR flow
// must still route only to lines callers can reach); a refused one leaves the file and the catalog
// as they were. The catalog is swapped whole, so a reader never sees half a configuration.
import { rename, writeFile } from 'node:fs/promises';
import { LineCatalog, type LineDefinition } from './line-catalog.js';
import { loadLinesFile, parseLines } from './line-config.js';

/** Throws (an AppError) when the running service cannot take `next`; says why. */
export type LinesCheck = (next: LineCatalog) => void;

export class LineConfigStore {
  private readonly checks: LinesCheck[] = [];

  private constructor(private readonly file: string, readonly catalog: LineCatalog, private source: unknown) {}

  static async open(file: string): Promise<LineConfigStore> {
    const { lines, source } = await loadLinesFile(file);
    return new LineConfigStore(file, new LineCatalog(lines), source);
  }

  /** The document as validated, for the admin API to show back. */
  current(): unknown {
    return this.source;
  }

  /** A veto on replacements (the IVR flow's routes), asked before anything changes. */
  check(fn: LinesCheck): void {
    this.checks.push(fn);
  }

  async replace(doc: unknown): Promise<readonly LineDefinition[]> {
    const lines = parseLines(doc);
    const next = new LineCatalog(lines);
    for (const fn of this.checks) fn(next);
    // Written beside the file and renamed over it: a crash mid-write never leaves half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    await rename(tmp, this.file);
    this.catalog.replace(lines);
    this.source = doc;
    return lines;
  }
}
