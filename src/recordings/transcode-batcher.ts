// Group commit for transcodes: while an ffmpeg process runs, the recordings that arrive wait and
// go together into the next one (`transcodeMany`). An idle archive starts a lone recording at
// once, so batching adds no delay when there is no backlog, and under a backlog the per-process
// start-up cost is shared by up to `maxBatch` recordings. `slots` bounds the processes at once:
// one beside Asterisk (the archive must take what live calls leave), more on a worker machine.
export interface TranscodeItem {
  src: string;
  dest: string;
}

interface Pending extends TranscodeItem {
  resolve(): void;
  reject(err: Error): void;
}

export class TranscodeBatcher {
  private readonly pending: Pending[] = [];
  private running = 0;

  constructor(
    private readonly runBatch: (items: readonly TranscodeItem[]) => Promise<void>,
    private readonly slots = 1,
    private readonly maxBatch = 16,
  ) {}

  transcode(src: string, dest: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ src, dest, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.slots && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running++;
      void this.runOne(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runOne(batch: Pending[]): Promise<void> {
    try {
      await this.runBatch(batch);
      for (const p of batch) p.resolve();
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err as Error);
      // One unreadable input fails every output of the process: each goes again alone, so only
      // the bad recording fails (and its job retries as before).
      for (const p of batch) {
        await this.runBatch([p]).then(p.resolve, (e: Error) => p.reject(e));
      }
    }
  }
}
