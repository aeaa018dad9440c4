// A one-line progress bar on stderr for long commands: count, percentage and ETA.
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(private readonly label: string, private readonly total: number, private readonly out = process.stderr) {}

  tick(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = this.total ? done / this.total : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const elapsed = (now - this.started) / 1000;
    const eta = done > 0 ? Math.max(0, (elapsed / done) * (this.total - done)) : 0;
    this.out.write(`\r${this.label} [${bar}] ${done}/${this.total} ${Math.round(frac * 100)}% ETA ${eta.toFixed(0)}s `);
    if (done >= this.total) this.out.write('\n');
  }
}
