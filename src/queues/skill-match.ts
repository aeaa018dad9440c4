// Skills-based routing (issue 21): which free operator takes which waiting caller of a line.
// Pure (the clock is an argument), so the ACD (call-dispatch.ts) runs it on memory alone and the
// rules are tested with a fake clock (test/queues/skill-match.test.ts).
//
// The rules, in the line's rank order:
// - A caller who needs skills is offered only to operators who have all of them at the level
//   asked or better; of those, the best level first (the sum of their levels in the skills
//   asked), then the one idle longest.
// - After waiting the line's widenAfterSec, the caller may go to anyone of the line: still the
//   skilled first, then the nearest to skilled (most of the skills met), then the idle longest.
//   This is the usual timed fallback of contact-centre routing: a skill is a preference worth a
//   bounded wait, not a reason to wait forever.
// - A caller whose skills no logged-in operator of the line has at all is widened at once:
//   waiting for somebody who is not there helps nobody (and an installation that never gave its
//   operators skills routes exactly as before).
// - A caller nobody free can take is passed over, not waited for: the callers behind them are
//   matched as usual (an `en` caller waiting for an `en` operator lets the next caller have the
//   Russian-speaking one). They keep their place, so they are first when their operator comes free.
// - A caller who needs nothing takes anyone: the operator fewest waiting skilled callers could
//   use first, then the one idle longest, so a plain caller ahead does not take the only `en`
//   operator while a Russian-only one is free. With no skills in play this is exactly the old
//   rule, the longest idle first.
// - A caller is not offered to an operator they avoid (the ticket's assignee whose sticky ring
//   they just missed: calls/call-sticky.ts) while anybody else of the line could take them: any
//   other logged-in operator (free or not) who can, by the skills asked, or by anyone once the
//   caller is widened. Nobody else: the avoided operator is better than waiting for nobody.
import { levelScore, meets, needsSkills, skillsMet, type Skills } from './skills.js';
import { estimateWaitSec } from './waiting-list.js';

export interface WaitingCaller {
  /** The waiting list's entry id (a caller, or a callback placeholder, which needs no skills). */
  id: string;
  requires: Skills;
  /** When the caller began waiting on this line (ms since the epoch): widening counts from here. */
  waitingSince: number;
  /** Operators not to offer this caller while anybody else of the line could take them (see the rules above). */
  avoid?: readonly string[];
}

export interface FreeOperator {
  id: string;
  skills: Skills;
  /** When they last finished a call (ms since the epoch; -Infinity: never), for "idle longest". */
  idleSince: number;
}

export interface MatchInput {
  /** The line's waiting entries, in rank order (the line's head first). */
  waiting: readonly WaitingCaller[];
  /** The line's free operators, in the order to prefer among equals (the ACD gives the idle longest first). */
  free: readonly FreeOperator[];
  /** LineDefinition.widenAfterSec. */
  widenAfterSec: number;
  now: number;
  /** The skills of the line's logged-in operators (free or not); absent: not known, nobody is widened early. */
  staffed?: readonly Skills[];
}

export interface Pairing {
  callerId: string;
  operatorId: string;
  /** Paired by the skills asked, or only because the caller's wait was widened (or they need nothing). */
  by: 'skills' | 'widened' | 'anyone';
}

export interface MatchResult {
  /** In the waiting list's order. */
  pairs: Pairing[];
  /** The next moment an unpaired caller's wait widens (ms since the epoch); null: none is narrowed. */
  nextWidenAt: number | null;
}

/** Whether a caller may be offered to anyone of the line now (see the rules above). */
export function widened(c: WaitingCaller, widenAfterSec: number, now: number, staffed?: readonly Skills[]): boolean {
  if (!needsSkills(c.requires)) return true;
  if (now - c.waitingSince >= widenAfterSec * 1000) return true;
  return staffed !== undefined && !staffed.some((s) => meets(s, c.requires));
}

export function matchCallers(input: MatchInput): MatchResult {
  const { waiting, widenAfterSec, now, staffed } = input;
  const order = new Map(input.free.map((o, i) => [o.id, i]));
  let remaining = [...input.free];
  // How many waiting skilled callers each operator could serve: a plain caller leaves those operators to them.
  const skilled = waiting.filter((c) => needsSkills(c.requires));
  const demand = new Map(remaining.map((o) => [o.id, skilled.filter((c) => meets(o.skills, c.requires)).length]));
  const byIdle = (a: FreeOperator, b: FreeOperator) => a.idleSince - b.idleSince || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0);

  const pairs: Pairing[] = [];
  const paired = new Set<string>();
  for (const c of waiting) {
    if (remaining.length === 0) break;
    const pick = choose(c, remaining);
    if (!pick) continue; // passed over, not waited for: the callers behind still get their turn
    pairs.push({ callerId: c.id, operatorId: pick.op.id, by: pick.by });
    paired.add(c.id);
    remaining = remaining.filter((o) => o !== pick.op);
  }
  // When the ACD must look again without another trigger: the first unpaired caller still narrowed widens.
  let nextWidenAt: number | null = null;
  for (const c of waiting) {
    if (paired.has(c.id) || widened(c, widenAfterSec, now, staffed)) continue;
    const at = c.waitingSince + widenAfterSec * 1000;
    if (nextWidenAt === null || at < nextWidenAt) nextWidenAt = at;
  }
  return { pairs, nextWidenAt };

  function choose(c: WaitingCaller, all: readonly FreeOperator[]): { op: FreeOperator; by: Pairing['by'] } | undefined {
    const free = withoutAvoided(c, all, widenAfterSec, now, staffed);
    if (!needsSkills(c.requires)) {
      const op = [...free].sort((a, b) => (demand.get(a.id) ?? 0) - (demand.get(b.id) ?? 0) || byIdle(a, b))[0];
      return op && { op, by: 'anyone' };
    }
    const eligible = free.filter((o) => meets(o.skills, c.requires));
    if (eligible.length > 0) {
      const op = eligible.sort((a, b) => levelScore(b.skills, c.requires) - levelScore(a.skills, c.requires) || byIdle(a, b))[0];
      return op && { op, by: 'skills' };
    }
    if (!widened(c, widenAfterSec, now, staffed)) return undefined;
    const op = [...free].sort(
      (a, b) => skillsMet(b.skills, c.requires) - skillsMet(a.skills, c.requires) || levelScore(b.skills, c.requires) - levelScore(a.skills, c.requires) || byIdle(a, b),
    )[0];
    return op && { op, by: 'widened' };
  }
}

/**
 * The free operators a caller may be offered to: all but those they avoid, unless nobody else of
 * the line could take them. Who could take them: the logged-in operators (`staffed`, free or not)
 * who meet their skills, or all of them once the caller is widened, less the avoided ones among
 * the free (an avoided operator who is not free is not offered anyway). `staffed` not known: the
 * avoided stay avoided (it is bounded in time by whoever sets it).
 */
export function withoutAvoided(c: WaitingCaller, free: readonly FreeOperator[], widenAfterSec: number, now: number, staffed?: readonly Skills[]): readonly FreeOperator[] {
  const avoided = free.filter((o) => c.avoid?.includes(o.id));
  if (avoided.length === 0) return free;
  const anyone = widened(c, widenAfterSec, now, staffed);
  const canTake = (skills: Skills) => anyone || meets(skills, c.requires);
  const others = staffed === undefined ? 1 : staffed.filter(canTake).length - avoided.filter((o) => canTake(o.skills)).length;
  return others > 0 ? free.filter((o) => !avoided.includes(o)) : free;
}

/** What a waiting caller is told: their place, how many can take them, the estimated wait. */
export interface WaitView {
  position: number;
  staffed: number;
  ewtSec: number;
}

/**
 * Honest position and wait under skills. A caller narrowed to skilled operators is estimated from
 * the logged-in operators who can take them, and the callers ahead who compete for those (anyone
 * those operators could take now: callers with matching needs, plain callers, widened callers);
 * an English caller behind five Russian callers the Russian-only operators will take is not
 * "sixth". Their wait widens after widenAfterSec, so the estimate is the sooner of that and of
 * waiting for a skilled operator. A caller who needs nothing (or is widened) is estimated as
 * before: everyone ahead, every logged-in operator of the line.
 */
export function waitView(a: {
  me: WaitingCaller;
  /** The entries ahead of the caller in the line, in rank order. */
  ahead: readonly WaitingCaller[];
  /** The skills of the line's logged-in operators. */
  staffed: readonly Skills[];
  widenAfterSec: number;
  now: number;
  avgHandleSec: number;
}): WaitView {
  const everyone = { position: a.ahead.length + 1, staffed: a.staffed.length };
  const everyoneEwt = estimateWaitSec(everyone.position, a.avgHandleSec, everyone.staffed);
  if (widened(a.me, a.widenAfterSec, a.now, a.staffed)) return { ...everyone, ewtSec: everyoneEwt };
  const mine = a.staffed.filter((s) => meets(s, a.me.requires));
  const competing = a.ahead.filter((c) => widened(c, a.widenAfterSec, a.now, a.staffed) || mine.some((s) => meets(s, c.requires)));
  const skilled = { position: competing.length + 1, staffed: mine.length };
  const skilledEwt = estimateWaitSec(skilled.position, a.avgHandleSec, skilled.staffed);
  const widensInSec = Math.max(0, (a.me.waitingSince + a.widenAfterSec * 1000 - a.now) / 1000);
  const viaWidening = Math.round(widensInSec + everyoneEwt);
  return viaWidening < skilledEwt ? { ...everyone, ewtSec: viaWidening } : { ...skilled, ewtSec: skilledEwt };
}
