// A line's own settings that otherwise come from the global settings (README "Lines"): its
// service-level target, its tickets' SLA targets and its wrap-up. Each is optional in lines.json;
// absent, the global setting applies (SERVICE_LEVEL_SEC / STAFFING_SERVICE_LEVEL, SLA_TARGETS,
// WRAPUP_SEC / WRAPUP_REQUIRES_NOTE), so a file without them changes nothing.
import type { ServiceTarget } from '../reports/erlang.js';
import { parseSlaTargets, type SlaTargets } from '../tickets/ticket-rules.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../tickets/ticket.table.js';

/** Whose wrap-up needs a note or a disposition before the next call: nobody, panel (WebRTC) operators, everyone. */
export const WRAP_UP_RULES = ['never', 'panel', 'always'] as const;
export type WrapUpRule = (typeof WRAP_UP_RULES)[number];

/** Wrap-up after a call: seconds before the next is offered (0: none) and whose wrap-up needs a note. */
export interface WrapUp {
  sec: number;
  rule: WrapUpRule;
}

/** A line's SLA targets: the priorities it sets; the others keep SLA_TARGETS. */
export type LineSla = Partial<SlaTargets>;

/** A line's service level: `share` of calls answered within `withinSec` of queueing (what the wallboard measures and the staffing plan aims at). */
export type LineServiceLevel = ServiceTarget;

/**
 * A line's `sla` in SLA_TARGETS' own format ("critical=30m/4h,high=2h/1d"), but only the
 * priorities it names: each part is read by SLA_TARGETS' parser, so the two never disagree.
 * Throws an Error saying which part is wrong.
 */
export function parseLineSla(spec: string): LineSla {
  const out: LineSla = {};
  for (const part of spec.split(',')) {
    const priority = /^\s*([a-z]+)\s*=/.exec(part)?.[1] as TicketPriority | undefined;
    if (!priority || !(TICKET_PRIORITIES as readonly string[]).includes(priority)) throw new Error(`"${part}" is not priority=<first>/<resolution> with a priority of ${TICKET_PRIORITIES.join(', ')}, e.g. high=4h/2d`);
    if (out[priority]) throw new Error(`"${priority}" is given twice`);
    out[priority] = parseSlaTargets(part)[priority];
  }
  return out;
}
