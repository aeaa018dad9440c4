// Built-in tickets: created by calls (and callbacks) or by staff, changed with every change a
// timeline event, searched in Russian and English, merged and split. Operators see only the
// tickets of the lines they serve, and those escalated to one of them (ticket-rules.ts).
import type { Principal } from '../auth/token.service.js';
import type { Db } from '../db/database.js';
import { InvalidTicketTransitionError, NotFoundError, TicketForbiddenError, TicketMergeError } from '../errors.js';
import { listCallsOfTicket } from '../calls/call.repository.js';
import type { CallRow } from '../calls/call.table.js';
import { findOperatorById } from '../operators/operator.repository.js';
import type { Line } from '../vocabulary.js';
import {
  findTicketById,
  hasTicketEvent,
  insertTicket,
  insertTicketEvent,
  insertTicketNote,
  listTicketNotes,
  lockTicket,
  markFirstResponse,
  moveCallsToTicket,
  moveTicketChildren,
  searchTickets,
  setTicketLine,
  updateTicket,
  type TicketSearch,
} from './ticket.repository.js';
import { ticketSyncState, ticketTimeline, type TimelineEntry } from './ticket-timeline.repository.js';
import { canMove, canSeeTicket, defaultPriority, DEFAULT_SLA, isEscalation, nearingAt, slaDue, slaState, type EscalationOrder, type SlaTargets } from './ticket-rules.js';
import { LineCatalog } from '../lines/line-catalog.js';
import { TICKET_STATUSES, type NewTicketRow, type TicketNote, type TicketPriority, type TicketRow, type TicketStatus, type TicketUpdate } from './ticket.table.js';

/**
 * Who changes a ticket, for the timeline: an operator, an API token, the caller, or pbxdesk.
 * `line` is an operator's home line, `lines` every line they serve (absent: the home line only).
 */
export type Actor = { label: string; role: Principal['role'] | 'system'; line: Line | null; lines?: readonly Line[]; operatorId: string | null };

/**
 * The lines whose tickets an actor's lists and searches hold: an operator's (or a supervisor's
 * panel's) served lines; null, every line, for staff and tokens bound to no operator. An
 * operator token always names an operator; without one it would see nothing.
 */
export function servedLines(actor: Actor): readonly Line[] | null {
  if (actor.lines) return actor.lines;
  if (actor.line) return [actor.line];
  return actor.role === 'operator' ? [] : null;
}

export const SYSTEM: Actor = { label: 'system', role: 'system', line: null, operatorId: null };

/** Where ticket changes go besides Postgres (webhooks, the wallboard). */
export interface TicketNotifier {
  ticketCreated(t: TicketRow): void;
  ticketUpdated(t: TicketRow, changes: Record<string, { from: unknown; to: unknown }>): void;
  /** A ticket is nearing or has breached an SLA target (escalation: flag, webhook, wallboard). */
  slaChanged(t: TicketRow, state: 'nearing' | 'breached', target: 'first_response' | 'resolution'): void;
}

/** The SLA timer: checks a ticket at the given moments (delayed jobs). */
export interface SlaScheduler {
  schedule(ticketId: string, at: readonly Date[]): Promise<void>;
}

export interface TicketInput {
  subject: string;
  description?: string;
  priority?: TicketPriority;
  category?: string | null;
  line?: Line | null;
  callerNumber?: string | null;
  accountId?: string | null;
  customerName?: string | null;
  assigneeId?: string | null;
}

export type TicketPatch = Partial<Pick<TicketInput, 'subject' | 'description' | 'priority' | 'category' | 'line' | 'assigneeId' | 'customerName'>> & { status?: TicketStatus };

/** What the call core needs of tickets when a call changes line. */
export type TicketLines = Pick<TicketService, 'setLine'>;

export class TicketService {
  private notifier: TicketNotifier | undefined;
  private scheduler: SlaScheduler | undefined;

  constructor(
    private readonly db: Db,
    private readonly sla: SlaTargets = DEFAULT_SLA,
    private readonly now: () => Date = () => new Date(),
    /** The escalation order (which line changes are escalations) and each line's own SLA targets. */
    private readonly lines: EscalationOrder & Pick<LineCatalog, 'sla' | 'ownSla'> = LineCatalog.defaults(),
  ) {}

  /** Wired after construction: the notifier and the SLA queue need the service themselves. */
  connect(parts: { notifier?: TicketNotifier; scheduler?: SlaScheduler }): void {
    this.notifier = parts.notifier;
    this.scheduler = parts.scheduler;
  }

  async actorOf(p: Principal): Promise<Actor> {
    const op = p.operatorId ? await findOperatorById(this.db, p.operatorId) : undefined;
    return { label: op ? `operator:${op.id}` : `token:${p.tokenId}`, role: p.role, line: op?.line ?? null, ...(op ? { lines: op.lines } : {}), operatorId: op?.id ?? null };
  }

  /** A new ticket for a call that did not name an existing one. */
  async openForCall(db: Db, callerNumber: string | null): Promise<TicketRow> {
    return this.insert(db, { subject: callerNumber ? `Call from ${callerNumber}` : 'Call from an unknown number', callerNumber }, { ...SYSTEM, label: 'caller' });
  }

  /** A ticket for a callback booked without one. */
  async openForCallback(db: Db, number: string, line: Line): Promise<TicketRow> {
    return this.insert(db, { subject: `Callback to ${number}`, callerNumber: number, line }, SYSTEM);
  }

  async create(actor: Actor, input: TicketInput): Promise<TicketRow> {
    return this.insert(this.db, { line: input.line ?? actor.line, ...input }, actor);
  }

  private async insert(db: Db, input: TicketInput, actor: Actor): Promise<TicketRow> {
    const createdAt = this.now();
    const priority = input.priority ?? defaultPriority(input.category);
    const due = slaDue(createdAt, priority, this.lines.sla(input.line ?? null, this.sla));
    const row: NewTicketRow = {
      subject: input.subject,
      description: input.description ?? '',
      priority,
      category: input.category ?? null,
      line: input.line ?? null,
      caller_number: input.callerNumber ?? null,
      account_id: input.accountId ?? null,
      customer_name: input.customerName ?? null,
      assignee_id: input.assigneeId ?? null,
      created_at: createdAt,
      updated_at: createdAt,
      sla_first_due: due.firstDue,
      sla_resolve_due: due.resolveDue,
    };
    const t = await insertTicket(db, row);
    await insertTicketEvent(db, t.id, 'created', actor.label, { priority, line: t.line, category: t.category });
    await this.scheduleSla(t);
    this.notifier?.ticketCreated(t);
    return t;
  }

  private async scheduleSla(t: TicketRow): Promise<void> {
    if (!this.scheduler || !t.sla_first_due || !t.sla_resolve_due) return;
    await this.scheduler.schedule(t.id, [nearingAt(t.created_at, t.sla_first_due), t.sla_first_due, nearingAt(t.created_at, t.sla_resolve_due), t.sla_resolve_due]);
  }

  /** The ticket as `actor` may see it; 403 for an operator of another line. */
  async get(actor: Actor, id: string): Promise<{ ticket: TicketRow; calls: CallRow[]; notes: TicketNote[]; timeline: TimelineEntry[]; sync: Awaited<ReturnType<typeof ticketSyncState>> }> {
    const ticket = await findTicketById(this.db, id);
    if (!ticket) throw new NotFoundError('ticket', id);
    this.assertVisible(actor, ticket);
    const [calls, notes, timeline, sync] = await Promise.all([listCallsOfTicket(this.db, id), listTicketNotes(this.db, id), ticketTimeline(this.db, id), ticketSyncState(this.db, id)]);
    return { ticket, calls, notes, timeline, sync };
  }

  /**
   * The ticket with its calls and notes only: what a screen pop shows, read on the ringing
   * path, so without the timeline and sync state. The panel shows it to the operator being rung.
   */
  async history(id: string): Promise<{ ticket: TicketRow; calls: CallRow[]; notes: TicketNote[] } | undefined> {
    const ticket = await findTicketById(this.db, id);
    if (!ticket) return undefined;
    const [calls, notes] = await Promise.all([listCallsOfTicket(this.db, id), listTicketNotes(this.db, id)]);
    return { ticket, calls, notes };
  }

  async search(actor: Actor, f: Omit<TicketSearch, 'visibleTo'>): Promise<{ rows: TicketRow[]; total: number }> {
    return searchTickets(this.db, { ...f, ...(actor.role === 'operator' ? { visibleTo: servedLines(actor) ?? [] } : {}) });
  }

  private assertVisible(actor: Actor, t: TicketRow): void {
    if (!canSeeTicket(actor, t)) throw new TicketForbiddenError(t.id, actor.line);
  }

  async update(actor: Actor, id: string, patch: TicketPatch): Promise<TicketRow> {
    const { ticket, changes, retarget } = await this.db.transaction().execute(async (trx) => {
      const t = await lockTicket(trx, id);
      if (!t) throw new NotFoundError('ticket', id);
      this.assertVisible(actor, t);
      const set: TicketUpdate = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const change = <K extends keyof TicketRow>(field: string, col: K, to: TicketRow[K] | undefined) => {
        if (to === undefined || to === t[col]) return;
        (set as Record<string, unknown>)[col] = to;
        changes[field] = { from: t[col], to };
      };
      if (patch.status === 'closed' && t.status === 'closed') throw new InvalidTicketTransitionError('closed', 'closed', `ticket ${t.id} is closed already`);
      if (patch.status !== undefined && patch.status !== t.status) {
        if (t.merged_into) throw new InvalidTicketTransitionError(t.status, patch.status, `ticket ${t.id} was merged into ${t.merged_into}`);
        if (!canMove(t.status, patch.status)) throw new InvalidTicketTransitionError(t.status, patch.status);
        if (patch.status === 'resolved' || patch.status === 'closed') set.resolved_at = t.resolved_at ?? this.now();
        if (patch.status === 'open') set.resolved_at = null;
      }
      change('status', 'status', patch.status);
      change('subject', 'subject', patch.subject);
      change('description', 'description', patch.description);
      change('priority', 'priority', patch.priority);
      change('category', 'category', patch.category);
      change('line', 'line', patch.line);
      change('assignee', 'assignee_id', patch.assigneeId);
      change('customerName', 'customer_name', patch.customerName);
      if (changes.line && patch.line && isEscalation(this.lines, t.line, patch.line)) {
        set.escalated = true;
        if (!t.escalated_lines.includes(patch.line)) set.escalated_lines = [...t.escalated_lines, patch.line];
      }
      // New targets: another priority, or a line with targets of its own for the ticket's priority.
      const [priority, line] = [patch.priority ?? t.priority, patch.line === undefined ? t.line : patch.line];
      const retarget = Boolean(changes.priority || (changes.line && this.slaMoved(t.line, line, priority)));
      if (retarget) {
        const due = slaDue(t.created_at, priority, this.lines.sla(line, this.sla));
        set.sla_first_due = due.firstDue;
        set.sla_resolve_due = due.resolveDue;
        set.sla_state = 'ok';
      }
      if (!Object.keys(changes).length) return { ticket: t, changes, retarget: false };
      const updated = await updateTicket(trx, id, set);
      for (const [field, c] of Object.entries(changes)) await insertTicketEvent(trx, id, field, actor.label, c);
      if (actor.operatorId) await markFirstResponse(trx, id, this.now());
      return { ticket: updated, changes, retarget };
    });
    if (Object.keys(changes).length) {
      if (retarget) await this.scheduleSla(ticket);
      this.notifier?.ticketUpdated(ticket, changes);
    }
    return ticket;
  }

  /**
   * An SLA timer fired: the ticket's state as of `at` (never earlier: a delayed job may run a
   * moment early by the service's clock). Each (state, target) escalates once; the ticket's
   * flag is the worst so far and is cleared only by a priority change (new targets).
   */
  /**
   * The line a call took its ticket to (queued, transferred, overflowed): the panels of the line
   * hear of it like of any other change, so a call's new ticket reaches their lists live.
   */
  async setLine(id: string, line: Line, actor = 'system'): Promise<void> {
    const move = async (db: Db) => {
      const m = await setTicketLine(db, id, line, actor, (from) => isEscalation(this.lines, from, line));
      if (!m || !this.slaMoved(m.from, line, m.ticket.priority)) return m && { ...m, retarget: false };
      // The line's own SLA targets, from the ticket's creation (as a priority change does).
      const due = slaDue(m.ticket.created_at, m.ticket.priority, this.lines.sla(line, this.sla));
      return { ...m, ticket: await updateTicket(db, id, { sla_first_due: due.firstDue, sla_resolve_due: due.resolveDue, sla_state: 'ok' }), retarget: true };
    };
    // Only lines with SLA targets of their own can retarget a ticket: then in one transaction with the move.
    const moved = this.lines.ownSla() ? await this.db.transaction().execute(move) : await move(this.db);
    if (moved?.retarget) await this.scheduleSla(moved.ticket);
    if (moved) this.notifier?.ticketUpdated(moved.ticket, { line: { from: moved.from, to: line } });
  }

  /** Does a move between lines change a ticket's SLA targets (one of the lines has its own for the priority)? */
  private slaMoved(from: Line | null, to: Line | null, priority: TicketPriority): boolean {
    const [a, b] = [this.lines.sla(from, this.sla)[priority], this.lines.sla(to, this.sla)[priority]];
    return a.firstResponseSec !== b.firstResponseSec || a.resolutionSec !== b.resolutionSec;
  }

  async checkSla(ticketId: string, at: Date): Promise<void> {
    const now = new Date(Math.max(this.now().getTime(), at.getTime()));
    const r = await this.db.transaction().execute(async (trx) => {
      const t = await lockTicket(trx, ticketId);
      if (!t) return undefined;
      const s = slaState({ createdAt: t.created_at, firstDue: t.sla_first_due, resolveDue: t.sla_resolve_due, firstResponseAt: t.first_response_at, resolvedAt: t.resolved_at, status: t.status }, now);
      const rank = { ok: 0, nearing: 1, breached: 2 } as const;
      if (s.state === 'ok' || !s.target) return undefined;
      if (await hasTicketEvent(trx, ticketId, 'sla', { state: s.state, target: s.target, due: s.due.toISOString() })) return undefined;
      const updated = await updateTicket(trx, ticketId, { sla_state: rank[s.state] > rank[t.sla_state] ? s.state : t.sla_state });
      await insertTicketEvent(trx, ticketId, 'sla', 'system', { state: s.state, target: s.target, due: s.due.toISOString() });
      return { t: updated, state: s.state, target: s.target };
    });
    if (r) this.notifier?.slaChanged(r.t, r.state, r.target);
  }

  /**
   * A change made in an external helpdesk (RT): status and subject flow back. A status this
   * ticket cannot move to (reopening a closed one) is noted in the timeline, not forced.
   */
  async remoteChanged(connector: string, change: { ticketId: string; status?: string; subject?: string }): Promise<void> {
    const actor: Actor = { label: `connector:${connector}`, role: 'system', line: null, operatorId: null };
    const t = await findTicketById(this.db, change.ticketId);
    if (!t) return;
    const status = (TICKET_STATUSES as readonly string[]).includes(change.status ?? '') ? (change.status as TicketStatus) : undefined;
    const movable = status !== undefined && status !== t.status && canMove(t.status, status);
    if (status !== undefined && status !== t.status && !movable) {
      await insertTicketEvent(this.db, t.id, 'sync-conflict', actor.label, { remoteStatus: change.status, localStatus: t.status });
    }
    const patch: TicketPatch = { ...(movable ? { status } : {}), ...(change.subject ? { subject: change.subject } : {}) };
    if (Object.keys(patch).length) await this.update(actor, t.id, patch);
  }

  /** A status change by the call flow (a call answered on a new ticket opens it). */
  async callAnswered(ticketId: string, operatorId: string): Promise<void> {
    const t = await findTicketById(this.db, ticketId);
    if (!t) return;
    // Opening it is a change by that operator, which marks the first response; otherwise mark it here.
    if (t.status === 'new') await this.update({ label: `operator:${operatorId}`, role: 'system', line: null, operatorId }, ticketId, { status: 'open' });
    else await markFirstResponse(this.db, ticketId, this.now());
  }

  async addNote(actor: Actor, id: string, body: string): Promise<TicketNote[]> {
    const t = await findTicketById(this.db, id);
    if (!t) throw new NotFoundError('ticket', id);
    this.assertVisible(actor, t);
    await insertTicketNote(this.db, id, actor.label, body);
    if (actor.operatorId) await markFirstResponse(this.db, id, this.now());
    this.notifier?.ticketUpdated(t, { note: { from: null, to: body.length } });
    return listTicketNotes(this.db, id);
  }

  /** Merges duplicate `id` (say, opened by a second call) into `into`: its calls, notes and callbacks move. */
  async merge(actor: Actor, id: string, into: string): Promise<TicketRow> {
    if (id === into) throw new TicketMergeError('merge_into_itself', `ticket ${id} cannot be merged into itself`);
    const target = await this.db.transaction().execute(async (trx) => {
      // Locked in id order, so two merges of the same pair cannot deadlock.
      const [a, b] = [id, into].sort((x, y) => Number(x) - Number(y)) as [string, string];
      const rows = new Map([[a, await lockTicket(trx, a)], [b, await lockTicket(trx, b)]]);
      const src = rows.get(id);
      const dst = rows.get(into);
      if (!src) throw new NotFoundError('ticket', id);
      if (!dst) throw new NotFoundError('ticket', into);
      this.assertVisible(actor, src);
      this.assertVisible(actor, dst);
      if (src.merged_into) throw new TicketMergeError('already_merged', `ticket ${id} was merged into ${src.merged_into} already`);
      if (dst.merged_into || dst.status === 'closed') throw new TicketMergeError('merge_target_closed', `ticket ${into} is closed`);
      await moveTicketChildren(trx, id, into);
      await updateTicket(trx, id, { status: 'closed', merged_into: into, resolved_at: src.resolved_at ?? this.now() });
      await insertTicketEvent(trx, id, 'merged', actor.label, { into, intoNumber: dst.number });
      await insertTicketEvent(trx, into, 'merged-from', actor.label, { from: id, fromNumber: src.number });
      return updateTicket(trx, into, {});
    });
    this.notifier?.ticketUpdated(target, { mergedFrom: { from: null, to: id } });
    return target;
  }

  /**
   * A call takes the ticket its caller keyed but could not prove (a claim), once staff checked
   * them: the ticket made for the call alone is merged into it; a ticket shared with other
   * calls keeps them and gives up only this one. `actor` must see the claimed ticket.
   */
  async takeClaimedCall(actor: Actor, call: { id: string; ticketId: string | null; keyed: string }, into: string): Promise<TicketRow> {
    const target = await findTicketById(this.db, into);
    if (!target) throw new NotFoundError('ticket', into);
    this.assertVisible(actor, target);
    const alone = call.ticketId ? (await listCallsOfTicket(this.db, call.ticketId)).every((c) => c.id === call.id) : false;
    if (call.ticketId && alone) await this.merge({ ...actor, role: 'system' }, call.ticketId, into);
    else await moveCallsToTicket(this.db, [call.id], into);
    await insertTicketEvent(this.db, into, 'claim-confirmed', actor.label, { callId: call.id, keyed: call.keyed, fromTicketId: call.ticketId });
    const t = await updateTicket(this.db, into, {});
    this.notifier?.ticketUpdated(t, { callAttached: { from: call.ticketId, to: call.id } });
    return t;
  }

  /** Splits calls off `id` onto a new ticket (two problems raised in one ticket). */
  async split(actor: Actor, id: string, req: { subject: string; callIds: string[] }): Promise<TicketRow> {
    const src = await findTicketById(this.db, id);
    if (!src) throw new NotFoundError('ticket', id);
    this.assertVisible(actor, src);
    if (src.merged_into) throw new TicketMergeError('already_merged', `ticket ${id} was merged into ${src.merged_into}`);
    const own = new Set((await listCallsOfTicket(this.db, id)).map((c) => c.id));
    const foreign = req.callIds.filter((c) => !own.has(c));
    if (foreign.length) throw new TicketMergeError('calls_not_on_ticket', `calls ${foreign.join(', ')} are not on ticket ${id}`);
    const fresh = await this.db.transaction().execute(async (trx) => {
      const t = await this.insert(trx, {
        subject: req.subject,
        priority: src.priority,
        category: src.category,
        line: src.line,
        callerNumber: src.caller_number,
        accountId: src.account_id,
        customerName: src.customer_name,
      }, actor);
      await updateTicket(trx, t.id, { split_from: id, escalated: src.escalated, escalated_lines: src.escalated_lines });
      await moveCallsToTicket(trx, req.callIds, t.id);
      await insertTicketEvent(trx, id, 'split', actor.label, { to: t.id, toNumber: t.number, callIds: req.callIds });
      return updateTicket(trx, t.id, {});
    });
    return fresh;
  }
}
