/** Capped exponential backoff with jitter: 200 ms, 400 ms, ... up to maxMs, forever. */
export function backoffDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 200 * 2 ** Math.min(attempt, 20));
  return Math.round(base / 2 + (random() * base) / 2);
}
