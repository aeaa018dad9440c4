// The lines this installation has, in memory: which exist, their names, the escalation order
// between them and their routing settings. Built from the validated lines configuration
// (pbx-config/lines.json, line-config.ts) at start-up and replaced whole by the admin API, so a
// reader never sees half a configuration. Nothing here asks Postgres: the ACD and the IVR read it
// on the caller's path.
import type { Language, Line } from '../vocabulary.js';
import type { LineServiceLevel, LineSla, WrapUp } from './line-settings.js';
import type { SlaTargets } from '../tickets/ticket-rules.js';

export interface LineDefinition {
  id: Line;
  name: Readonly<Record<Language, string>>;
  /** The next line up (first → second → third); null: the top, nothing to escalate to. */
  escalatesTo: Line | null;
  /** Reached only by escalation (a helpdesk queue): the IVR may not route callers here. */
  escalationOnly: boolean;
  /** queues.conf queue that takes this line's callers when the app is down or shedding. */
  fallbackQueue: string;
  /** Skills routing: a caller who needs skills is offered only to operators who have them for this long, then to anyone of the line. */
  widenAfterSec: number;
  /** Sticky routing: how long a ticket's assignee is rung before the caller goes to the line; 0: off. */
  stickyRingSec: number;
  /** The line's own service-level target; absent: SERVICE_LEVEL_SEC (wallboard) and STAFFING_SERVICE_LEVEL (plan). */
  serviceLevel?: LineServiceLevel;
  /** SLA targets of the line's tickets, per priority; a priority left out (or no sla): SLA_TARGETS. */
  sla?: LineSla;
  /** Wrap-up after the line's calls; a field left out (or no wrapUp): WRAPUP_SEC / WRAPUP_REQUIRES_NOTE. */
  wrapUp?: Partial<WrapUp>;
}

const DEFAULTS: readonly LineDefinition[] = [
  { id: 'first', name: { ru: 'Первая линия', en: 'First line' }, escalatesTo: 'second', escalationOnly: false, fallbackQueue: 'first-line', widenAfterSec: 30, stickyRingSec: 0 },
  { id: 'second', name: { ru: 'Вторая линия', en: 'Second line' }, escalatesTo: null, escalationOnly: false, fallbackQueue: 'second-line', widenAfterSec: 30, stickyRingSec: 0 },
];

export class LineCatalog {
  private byId: ReadonlyMap<Line, LineDefinition>;

  constructor(lines: readonly LineDefinition[] = DEFAULTS) {
    this.byId = new Map(lines.map((l) => [l.id, l]));
  }

  /** Today's two lines, as an installation without lines.json has them. */
  static defaults(): LineCatalog {
    return new LineCatalog(DEFAULTS);
  }

  /** Swaps in a new, already validated configuration (admin API). */
  replace(lines: readonly LineDefinition[]): void {
    this.byId = new Map(lines.map((l) => [l.id, l]));
  }

  /** Every line, in configuration order (reports and the wallboard show them so). */
  ids(): readonly Line[] {
    return [...this.byId.keys()];
  }

  all(): readonly LineDefinition[] {
    return [...this.byId.values()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: Line): LineDefinition | undefined {
    return this.byId.get(id);
  }

  name(id: Line, lang: Language): string {
    return this.byId.get(id)?.name[lang] ?? id;
  }

  /**
   * The line callers reach when the IVR has nowhere else to send them (a menu's 0 and its last
   * failed attempt, a flow that runs out): the first line of the configuration callers can be
   * routed to. The validator guarantees there is one; 'first' only for an empty catalog.
   */
  front(): Line {
    for (const l of this.byId.values()) if (!l.escalationOnly) return l.id;
    return 'first';
  }

  /** Where escalation from `id` goes; null at the top (or for an unknown line). */
  next(id: Line): Line | null {
    return this.byId.get(id)?.escalatesTo ?? null;
  }

  /** Seconds within which an answer counts for the line's service level (wallboard, line report). */
  serviceLevelSec(id: Line, fallback: number): number {
    return this.byId.get(id)?.serviceLevel?.withinSec ?? fallback;
  }

  /** The SLA targets of a ticket on `id` (null: on no line): the line's priorities over the setting's. */
  sla(id: Line | null, fallback: SlaTargets): SlaTargets {
    const own = id === null ? undefined : this.byId.get(id)?.sla;
    return own ? { ...fallback, ...own } : fallback;
  }

  /** Does any line have SLA targets of its own (else every ticket has SLA_TARGETS')? */
  ownSla(): boolean {
    return this.all().some((l) => l.sla);
  }

  /** The wrap-up after a call on `id` (null or unknown: the settings'). */
  wrapUp(id: Line | null, fallback: WrapUp): WrapUp {
    const own = id === null ? undefined : this.byId.get(id)?.wrapUp;
    return { sec: own?.sec ?? fallback.sec, rule: own?.rule ?? fallback.rule };
  }

  /** 0 for the bottom of the escalation order, 1 for the line above it, ... (lines outside any chain: 0). */
  level(id: Line): number {
    let level = 0;
    // Bounded by the number of lines: the validator refuses cycles, but a reader must never spin.
    for (let below = this.below(id); below && level < this.byId.size; below = this.below(below)) level++;
    return level;
  }

  private below(id: Line): Line | undefined {
    for (const l of this.byId.values()) if (l.escalatesTo === id) return l.id;
    return undefined;
  }
}
