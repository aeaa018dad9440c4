// Queueing arithmetic for staffing: Erlang C (callers wait as long as it takes) and Erlang A
// (callers with exponential patience hang up). Pure functions, rates per second.
//
// Erlang C goes through the Erlang B recurrence B(k) = A·B(k-1) / (k + A·B(k-1)), never A^N/N!:
// the factorial overflows a double from 171 agents and the power from a few hundred erlangs,
// while the recurrence stays in [0, 1] for any size. Erlang A works with the stationary
// distribution of the birth-death chain in logarithms for the same reason.

/** Offered load: calls arriving per second and the mean handle time, in seconds. */
export interface Load {
  arrivalsPerSec: number;
  handleSec: number;
}

/** X% (as a share, 0.8) of calls answered within Y seconds. */
export interface ServiceTarget {
  share: number;
  withinSec: number;
}

/** Traffic in erlangs: the mean number of calls in progress if nobody ever waited. */
export const erlangs = (l: Load): number => l.arrivalsPerSec * l.handleSec;

/** Erlang B: the share of calls blocked with `servers` lines and no queue. */
export function erlangB(servers: number, traffic: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/** Erlang C: the probability that a caller has to wait. 1 when the agents cannot keep up. */
export function erlangC(servers: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (servers <= traffic) return 1;
  const b = erlangB(servers, traffic);
  return (servers * b) / (servers - traffic * (1 - b));
}

/** Erlang C: the share of calls answered within `withinSec`. */
export function serviceLevelC(servers: number, load: Load, withinSec: number): number {
  const a = erlangs(load);
  if (a <= 0) return 1;
  if (servers <= a) return 0;
  return 1 - erlangC(servers, a) * Math.exp((-(servers - a) * withinSec) / load.handleSec);
}

/** Erlang C: the mean wait over all calls (average speed of answer), in seconds. */
export function meanWaitC(servers: number, load: Load): number {
  const a = erlangs(load);
  if (a <= 0) return 0;
  if (servers <= a) return Infinity;
  return (erlangC(servers, a) * load.handleSec) / (servers - a);
}

function checkTarget(t: ServiceTarget): void {
  if (!(t.share > 0 && t.share < 1)) throw new RangeError(`a service-level share must be between 0 and 1 (exclusive), got ${t.share}`);
  if (!(t.withinSec >= 0)) throw new RangeError(`a target answer time must be 0 s or more, got ${t.withinSec}`);
}

/** Erlang C: the fewest agents answering `target.share` of calls within `target.withinSec`. */
export function agentsNeededC(load: Load, target: ServiceTarget): number {
  checkTarget(target);
  const a = erlangs(load);
  if (a <= 0) return 0;
  // Fewer than A agents never keep up; the service level rises with every agent past A and
  // tends to 1, so the loop ends for any share below 1.
  let n = Math.max(1, Math.floor(a) + 1);
  while (serviceLevelC(n, load, target.withinSec) < target.share) n++;
  return n;
}

/** Erlang A (M/M/n+M): what `servers` agents give when callers hang up after `patienceSec` on average. */
export interface ErlangAResult {
  /** An arriving caller finds every agent busy. */
  waitProbability: number;
  /** A caller hangs up before being answered. */
  abandonProbability: number;
  /** Mean wait over all callers, answered or not, in seconds. */
  meanWaitSec: number;
  /** Busy share of the agents' time. */
  occupancy: number;
  /** Share of all callers answered within `withinSec` (one who hangs up first is not answered). */
  serviceLevel: number;
}

const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m === -Infinity ? m : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/**
 * Erlang A, exactly from the stationary distribution of the number of callers present (birth
 * rate λ; death rate min(n, N)·μ + max(n − N, 0)·θ, θ = 1/patience), its queue cut where the
 * remaining probability is below 1e-14 of the whole.
 *
 * The service level follows a tagged caller who finds j callers queued ahead: each stage ends
 * when the head of the queue is answered (N·μ) or one ahead hangs up (k·θ), and the tagged caller
 * hangs up at θ meanwhile. P(answered by t) is computed for every j at once by uniformisation.
 */
export function erlangA(servers: number, load: Load & { patienceSec: number }, withinSec: number): ErlangAResult {
  const lambda = load.arrivalsPerSec;
  const mu = 1 / load.handleSec;
  const theta = 1 / load.patienceSec;
  if (lambda <= 0) return { waitProbability: 0, abandonProbability: 0, meanWaitSec: 0, occupancy: 0, serviceLevel: 1 };
  if (servers < 1) return { waitProbability: 1, abandonProbability: 1, meanWaitSec: load.patienceSec, occupancy: 0, serviceLevel: 0 };
  const n = servers;
  const a = lambda / mu;
  // Log weights relative to "all agents busy, nobody queued" (n callers present).
  // States below n: a truncated Poisson, whose mass relative to state n is 1/B(n, a).
  const logBelowAndAtN = -Math.log(erlangB(n, a));
  const logAtN = 0;
  const queued: number[] = []; // log weight of n + j callers present, j = 1, 2, …
  let w = 0;
  let peak = logBelowAndAtN;
  for (let j = 1; j < 1_000_000; j++) {
    w += Math.log(lambda) - Math.log(n * mu + j * theta);
    queued.push(w);
    peak = Math.max(peak, w);
    // Past the peak (deaths outpace births) and negligible (e^-32) against the largest weight.
    if (n * mu + j * theta > lambda && w < peak - 32) break;
  }
  const logTotal = logSumExp([logBelowAndAtN, ...queued]);
  const p = (lw: number) => Math.exp(lw - logTotal);
  const pBelow = p(logBelowAndAtN) - p(logAtN); // fewer than n present: answered at once
  const pQueued = queued.map(p); // pQueued[j-1]: n + j present
  const pAtN = p(logAtN);
  const waitProbability = 1 - pBelow;
  const meanQueue = pQueued.reduce((s, x, i) => s + (i + 1) * x, 0);
  const abandonProbability = (theta * meanQueue) / lambda;
  const meanWaitSec = meanQueue / lambda;
  const occupancy = (lambda * (1 - abandonProbability)) / (n * mu);

  // A caller arriving with n + j present has j ahead; with exactly n present, none ahead.
  const ahead = [pAtN, ...pQueued]; // ahead[j]: P(an arrival finds j queued ahead of it)
  const answered = answeredWithin(n * mu, theta, ahead.length - 1, withinSec);
  const serviceLevel = Math.min(1, pBelow + ahead.reduce((s, x, j) => s + x * (answered[j] ?? 0), 0));
  return { waitProbability, abandonProbability, meanWaitSec, occupancy, serviceLevel };
}

/**
 * P(a queued caller with j ahead is answered within t, before hanging up), j = 0..maxAhead.
 * Uniformised at rate Λ (the largest total outflow): F_k(j) is the chance of being answered within
 * k jumps of the discrete chain, and the answer is Σ_k Poisson(k; Λt)·F_k(j).
 */
function answeredWithin(nMu: number, theta: number, maxAhead: number, t: number): number[] {
  const states = maxAhead + 1;
  if (t <= 0) return new Array<number>(states).fill(0);
  const rate = nMu + maxAhead * theta + theta;
  const lt = rate * t;
  const steps = Math.ceil(lt + 12 * Math.sqrt(lt) + 60);
  let f = new Array<number>(states).fill(0);
  const out = new Array<number>(states).fill(0);
  let logPois = -lt; // log Poisson(0; Λt), kept in logs: e^-Λt underflows for large Λt
  for (let k = 1; k <= steps; k++) {
    const next = new Array<number>(states);
    for (let j = 0; j < states; j++) {
      const advance = (nMu + j * theta) / rate; // the head answered (j = 0: this caller) or one ahead hangs up
      const stay = 1 - advance - theta / rate; // the rest of Λ is a self-loop; θ/Λ: this caller hangs up
      next[j] = (j === 0 ? advance : advance * (f[j - 1] ?? 0)) + stay * (f[j] ?? 0);
    }
    f = next;
    logPois += Math.log(lt) - Math.log(k);
    const weight = Math.exp(logPois);
    for (let j = 0; j < states; j++) out[j] = (out[j] ?? 0) + weight * (f[j] ?? 0);
  }
  return out;
}

/**
 * Erlang A: the fewest agents answering `target.share` of all callers within `target.withinSec`.
 * Searched down from Erlang C's answer (patience only ever lets fewer agents do), or up from one
 * agent when the load exceeds what Erlang C can size.
 */
export function agentsNeededA(load: Load & { patienceSec: number }, target: ServiceTarget): number {
  checkTarget(target);
  if (erlangs(load) <= 0) return 0;
  const meets = (n: number) => erlangA(n, load, target.withinSec).serviceLevel >= target.share;
  let n = agentsNeededC(load, target);
  if (!meets(n)) {
    while (!meets(n)) n++;
    return n;
  }
  while (n > 1 && meets(n - 1)) n--;
  return n;
}
