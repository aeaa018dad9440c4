// A snoop channel made over ARI is usable (recorded, bridged) only once it has entered the
// Stasis app: the snoop request returns before that ("Channel not in Stasis application").
// Leg recordings and supervisor monitoring both wait for it here.
export class SnoopStarts {
  private readonly waiting = new Map<string, () => void>();

  /** Runs `snoop` (the ARI request making channel `id`) and resolves once `id` is in Stasis. */
  async start(id: string, snoop: () => Promise<unknown>, timeoutMs = 5000): Promise<void> {
    const inStasis = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`snoop ${id} did not enter Stasis`)), timeoutMs);
      this.waiting.set(id, () => (clearTimeout(t), resolve()));
    });
    inStasis.catch(() => undefined); // awaited below; only a failed snoop request leaves it unheard
    try {
      await snoop();
      await inStasis;
    } finally {
      this.waiting.delete(id);
    }
  }

  /** A snoop's StasisStart. */
  started(id: string): void {
    this.waiting.get(id)?.();
  }
}
