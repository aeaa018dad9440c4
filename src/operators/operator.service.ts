import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../auth/token.service.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ExtensionTakenError, ForbiddenError, InvalidExtensionError, NotFoundError, OperatorLoginTakenError, UnknownLineError, WrapUpRequiredError } from '../errors.js';
import { DEFAULT_PBX_NODE } from '../calls/call.table.js';
import { findCallById } from '../calls/call.repository.js';
import {
  changeOperatorState,
  findOperatorById,
  findOperatorByLogin,
  insertOperator,
  listOperators,
  listOperatorsInWrapUp,
  listStateHistory,
  markOperatorCallEnded,
  setWrapUpCall,
  setSipCredential,
  findOperatorBySipUsername,
  listLoggedInOnNode,
  setOperatorSkills,
  setOperatorExtension,
  listExtensions,
  setOperatorLines,
} from './operator.repository.js';
import { LineCatalog } from '../lines/line-catalog.js';
import type { WrapUpRule } from '../lines/line-settings.js';
import { OperatorAsterisk, type EndpointProvisioner, type FallbackQueues } from './operator-asterisk.js';
import { extensionProblem, lowestFreeExtension } from './extension.js';
import type { Skills } from '../queues/skills.js';
import type { InternalCalls } from './internal-calls.js';
import type { OperatorRow, OperatorState, PauseReason, Softphone } from './operator.table.js';
import type { Line } from '../vocabulary.js';

export type { EndpointProvisioner, FallbackQueues } from './operator-asterisk.js';

export interface OperatorAvailabilityListener {
  /** An operator serving `lines` came free: each line's callers are offered to them (the call core decides in which order). */
  operatorAvailable(lines: readonly Line[]): void;
}

function checkExtension(extension: string): void {
  const problem = extensionProblem(extension);
  if (problem) throw new InvalidExtensionError(extension, problem);
}

/** Operators' PJSIP endpoint ids carry a prefix so no login can clash with the trunk's. */
export function endpointIdFor(login: string): string {
  return `op-${login}`;
}

export class OperatorService {
  private listener: OperatorAvailabilityListener | undefined;
  private readonly changeListeners: ((op: OperatorRow) => void)[] = [];
  private readonly wrapUpTimers = new Map<string, NodeJS.Timeout>();
  /**
   * This node's available operators as this instance last saw them: the ACD reads them here,
   * never Postgres, on a caller's path. Kept by every state change made here, and read again
   * every 2 s (refreshAvailable) for changes made through another instance.
   */
  private readonly availableNow = new Map<string, OperatorRow>();
  /**
   * This node's logged-in operators (any state but offline), kept like availableNow: skills
   * routing asks whether anybody logged in could take a caller at all (staffedSkills).
   */
  private readonly loggedInNow = new Map<string, OperatorRow>();
  /** Per operator, the number of the last change made here: a refresh older than it does not undo it. */
  private readonly changeNo = new Map<string, number>();
  private changes = 0;
  /** Calls between colleagues now (colleague.module.ts wires it to AMI): the ACD leaves their operators out. */
  private internal: InternalCalls | undefined;
  /** What Asterisk knows of the operators: their endpoints and fallback queue memberships. */
  private readonly asterisk: OperatorAsterisk;
  /** A live call's line from the call core's memory (its row may be unwritten), set once the core exists: the line decides the wrap-up. */
  liveCallLine: (callId: string) => Line | null | undefined = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly realm: string,
    private readonly endpoints: EndpointProvisioner,
    private readonly fallback: FallbackQueues,
    private readonly log: Logger,
    /** Seconds of wrap-up after each call before the next is offered (0: none). */
    private readonly wrapUpSec = 0,
    private readonly wrapUpRule: WrapUpRule = 'never',
    /** The node this instance drives: only its operators' phones are pushed, synced and rung here. */
    private readonly node: string = DEFAULT_PBX_NODE,
    /** The configured lines: which an operator may serve, and each line's fallback queue. */
    private readonly lines: LineCatalog = LineCatalog.defaults(),
  ) {
    this.asterisk = new OperatorAsterisk(db, realm, endpoints, fallback, log, node, lines);
  }

  /** Every state change (panels and the wallboard show them). */
  onChange(fn: (op: OperatorRow) => void): void {
    this.changeListeners.push(fn);
  }

  onAvailable(l: OperatorAvailabilityListener): void {
    this.listener = l;
  }

  async create(input: {
    login: string;
    name: string;
    line: Line;
    /** Further lines served besides the home line (absent: the home line only). */
    lines?: readonly Line[];
    sipPassword: string;
    softphone?: Softphone;
    supervisor?: boolean;
    pbxNode?: string;
    /** Absent: the next free one (migration 0023's sequence, else the lowest free). */
    extension?: string;
  }): Promise<OperatorRow> {
    if (input.extension) checkExtension(input.extension);
    const served = this.servedLines(input.line, input.lines ?? []);
    if (await findOperatorByLogin(this.db, input.login)) throw new OperatorLoginTakenError(input.login);
    const username = endpointIdFor(input.login);
    const md5 = createHash('md5').update(`${username}:${this.realm}:${input.sipPassword}`).digest('hex');
    const insert = (extension: string | null | undefined) =>
      insertOperator(this.db, {
        login: input.login,
        name: input.name,
        line: input.line,
        lines: served,
        sip_username: username,
        sip_md5_cred: md5,
        softphone: input.softphone ?? 'sip',
        supervisor: input.supervisor ?? false,
        pbx_node: input.pbxNode ?? this.node,
        ...(extension === undefined ? {} : { extension }),
      });
    let row: OperatorRow | undefined;
    // The sequence's next number may be one an admin gave by hand: then the lowest free one (twice,
    // for a race with another creation), and none at all rather than no operator (an admin sets it).
    for (const attempt of [0, 1, 2, 3]) {
      const extension = input.extension ?? (attempt === 0 ? undefined : attempt === 3 ? null : lowestFreeExtension(await listExtensions(this.db)));
      try {
        row = await insert(extension);
        break;
      } catch (err) {
        const e = err as { code?: string; constraint?: string };
        if (e.code !== '23505') throw err;
        if (e.constraint !== 'operators_extension_key') throw new OperatorLoginTakenError(input.login);
        if (input.extension) throw new ExtensionTakenError(input.extension);
      }
    }
    if (!row) throw new ExtensionTakenError(input.extension ?? '');
    if (!row.extension) this.log.warn({ operatorId: row.id }, 'no free extension: the operator has none until an admin gives one');
    // With ARI down the endpoint is pushed on reconnect (pushEndpoints): Postgres is the truth.
    // An operator of another node gets their endpoint from that node's instance when it connects.
    if (this.mine(row) && this.endpoints.isConnected()) await this.asterisk.push(row.id);
    return row;
  }

  /**
   * After a panel password reset: an operator whose phone is the panel gets a new random SIP
   * secret, so whoever held the old session (and the HA1 it was given) cannot register the
   * endpoint again; the panel receives the new HA1 at its next sign-in. A desk phone keeps its
   * configured secret (false).
   */
  async rotatePanelSoftphoneSecret(id: string): Promise<boolean> {
    const op = await this.get(id);
    if (op.softphone !== 'webrtc') return false;
    const md5 = createHash('md5').update(`${op.sip_username}:${this.realm}:${randomBytes(24).toString('base64url')}`).digest('hex');
    const row = await setSipCredential(this.db, id, md5);
    if (row && this.mine(row) && this.endpoints.isConnected()) await this.asterisk.push(row.id);
    return true;
  }

  /** Internal calls: an admin gives an operator another extension (null: none). */
  async setExtension(id: string, extension: string | null): Promise<OperatorRow> {
    if (extension) checkExtension(extension);
    const before = await this.get(id);
    let row: OperatorRow | undefined;
    try {
      row = await setOperatorExtension(this.db, id, extension);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ExtensionTakenError(extension ?? '');
      throw err;
    }
    if (!row) throw new NotFoundError('operator', id);
    if (this.mine(row) && this.endpoints.isConnected()) {
      // The new entry and caller ID first, then the old entry cleared; with Asterisk away both happen at the next connect
      // (the new one by the changed fingerprint; until then the old number still rings its former owner).
      await this.asterisk.push(row.id);
      // Unless someone took the old number meanwhile (their push made it theirs already).
      if (before.extension && before.extension !== extension && !(await listExtensions(this.db)).includes(before.extension)) {
        await this.endpoints.forgetExtension?.(before.extension).catch((err: Error) => this.log.warn({ operatorId: id, err: err.message }, 'old extension not removed from Asterisk'));
      }
    }
    return row;
  }

  /**
   * Which lines an operator serves (admin or supervisor): the home line always, first, and each
   * one a configured line. Their ACD and ticket lists follow at once (the ACD reads the row kept
   * in memory; a line they now serve is looked at for waiting callers).
   */
  async setLines(id: string, lines: readonly Line[]): Promise<OperatorRow> {
    const op = await this.get(id);
    const row = await setOperatorLines(this.db, id, this.servedLines(op.line, lines));
    if (!row) throw new NotFoundError('operator', id);
    this.changeNo.set(id, ++this.changes);
    if (this.mine(row) && row.state === 'available') {
      this.availableNow.set(id, row);
      this.listener?.operatorAvailable(row.lines);
    }
    for (const fn of this.changeListeners) fn(row);
    return row;
  }

  /** The home line first, then the others once each; every one must be a configured line. */
  private servedLines(home: Line, others: readonly Line[]): Line[] {
    const served = [...new Set([home, ...others])];
    served.forEach((l, i) => {
      if (!this.lines.has(l)) throw new UnknownLineError(l, this.lines.ids(), i === 0 ? '/line' : `/lines/${others.indexOf(l)}`);
    });
    return served;
  }

  async list(): Promise<OperatorRow[]> {
    return listOperators(this.db);
  }

  async get(id: string): Promise<OperatorRow> {
    const row = await findOperatorById(this.db, id);
    if (!row) throw new NotFoundError('operator', id);
    return row;
  }

  /** available, paused (with a reason) or offline, by the operator or a supervisor. Ending wrap-up early is setting available. */
  async setState(id: string, state: 'available' | 'paused' | 'offline', reason: PauseReason | null, by: Principal): Promise<OperatorRow> {
    if (by.role === 'operator' && by.operatorId !== id) throw new ForbiddenError(by.role, ['admin', 'supervisor', 'the operator']);
    const current = await this.get(id);
    if (current.state === 'on_call' && state === 'available') return current; // the call ending decides
    if (state === 'available' && current.wrapup_call_id) throw new WrapUpRequiredError(current.wrapup_call_id);
    return this.change(id, state, state === 'paused' ? (reason ?? 'other') : null);
  }

  /**
   * Internal calls: an operator talking to a colleague is not offered queue calls, and when that
   * call ends the ACD looks at their line again.
   */
  useInternalCalls(internal: InternalCalls): void {
    this.internal = internal;
    internal.onChange((endpoints, busy) => {
      if (busy) return;
      const lines = new Set([...this.availableNow.values()].filter((o) => endpoints.includes(o.sip_username)).flatMap((o) => o.lines));
      this.listener?.operatorAvailable([...lines]);
    });
  }

  /** In a call with a colleague now (extensions.conf [pbxdesk-internal]). */
  inInternalCall(op: OperatorRow): boolean {
    return this.internal?.busy(op.sip_username) ?? false;
  }

  /** The available operators on this node who serve a line, the one idle longest first (app_queue's leastrecent), from memory. */
  available(line: Line): OperatorRow[] {
    const idle = (o: OperatorRow) => o.last_call_ended_at?.getTime() ?? -Infinity;
    return [...this.availableNow.values()]
      .filter((o) => o.lines.includes(line) && !this.inInternalCall(o))
      .sort((a, b) => idle(a) - idle(b) || Number(BigInt(a.id) - BigInt(b.id)));
  }

  /** Skills routing: the skills of the line's logged-in operators on this node (free or not), from memory. */
  staffedSkills(line: Line): Skills[] {
    return [...this.loggedInNow.values()].filter((o) => o.lines.includes(line)).map((o) => o.skills);
  }

  /**
   * An admin or supervisor sets an operator's skills (replaced whole; validated by the API's
   * schema, queues/skills.ts). The ACD's memory takes them at once: its next pass routes by them
   * (the 2-s re-check runs one for every line with callers waiting).
   */
  async setSkills(id: string, skills: Skills): Promise<OperatorRow> {
    const row = await setOperatorSkills(this.db, id, skills);
    if (!row) throw new NotFoundError('operator', id);
    this.changeNo.set(id, ++this.changes);
    if (this.availableNow.has(id)) this.availableNow.set(id, row);
    if (this.loggedInNow.has(id)) this.loggedInNow.set(id, row);
    return row;
  }

  /** Reads the available operators again (another instance may have changed one). */
  async refreshAvailable(): Promise<void> {
    const startedAt = this.changes;
    const rows = await listLoggedInOnNode(this.db, this.node);
    const fresh = new Map(rows.map((r) => [r.id, r]));
    for (const id of new Set([...this.loggedInNow.keys(), ...fresh.keys()])) {
      if ((this.changeNo.get(id) ?? 0) > startedAt) continue; // changed here while we read: ours is newer
      const r = fresh.get(id);
      if (r) this.loggedInNow.set(id, r);
      else this.loggedInNow.delete(id);
      if (r?.state === 'available') this.availableNow.set(id, r);
      else this.availableNow.delete(id);
    }
  }

  /** The operator whose PJSIP endpoint this is (a call the dialplan's fallback queue put through). */
  /**
   * A logged-in operator of this node from memory, else Postgres. Asked at the end of every
   * shed call (its operator, fallback-calls.ts) and of every call between colleagues (their
   * colleague state): under overload a round trip for each competes with the call ledger's writes.
   */
  async byEndpoint(endpoint: string): Promise<OperatorRow | undefined> {
    for (const o of this.loggedInNow.values()) if (o.sip_username === endpoint) return o;
    return findOperatorBySipUsername(this.db, endpoint);
  }

  async history(id: string) {
    await this.get(id);
    return listStateHistory(this.db, id);
  }

  /** The ACD: an operator who did not answer is paused with reason 'missed' (app_queue's autopause). */
  async missed(id: string): Promise<void> {
    await this.change(id, 'paused', 'missed');
  }

  async callStarted(id: string): Promise<void> {
    await this.change(id, 'on_call', null);
  }

  /**
   * After a call: wrap-up for the call's line's seconds (lines.json `wrapUp`, else WRAPUP_SEC), then
   * available again, unless the operator changed state meanwhile. Where the line's wrap-up rule applies,
   * it lasts until the operator gives a note or a disposition for the call (wrappedUp), however long.
   */
  async callEnded(id: string, at: Date, callId?: string): Promise<void> {
    // Read before any wait: the call core forgets an ended call once its row is written.
    const live = callId ? this.liveCallLine(callId) : undefined;
    await markOperatorCallEnded(this.db, id, at);
    const op = await this.get(id);
    if (op.state !== 'on_call') return;
    // A call of no known line (a colleague's, an outbound one): the operator's home line's wrap-up.
    const line = live ?? (callId ? (await findCallById(this.db, callId))?.line : undefined) ?? op.line;
    const wrapUp = this.lines.wrapUp(line, { sec: this.wrapUpSec, rule: this.wrapUpRule });
    if (callId && (wrapUp.rule === 'always' || (wrapUp.rule === 'panel' && op.softphone === 'webrtc'))) {
      await setWrapUpCall(this.db, id, callId);
      await this.change(id, 'wrap_up', null, wrapUp.sec > 0 ? new Date(Date.now() + wrapUp.sec * 1000) : null);
      return;
    }
    if (wrapUp.sec <= 0) {
      await this.change(id, 'available', null);
      return;
    }
    const until = new Date(Date.now() + wrapUp.sec * 1000);
    await this.change(id, 'wrap_up', null, until);
    this.scheduleWrapUpEnd(id, until);
  }

  /** The operator wrapped the call up (note or disposition stored): on to the next call. */
  async wrappedUp(id: string, callId: string): Promise<OperatorRow> {
    const op = await this.get(id);
    if (op.wrapup_call_id !== callId) return op;
    await setWrapUpCall(this.db, id, null);
    return op.state === 'wrap_up' ? this.change(id, 'available', null) : this.get(id);
  }

  /** After a restart: wrap-ups that ran out while the service was down end now, the others on time. */
  async resumeWrapUps(): Promise<void> {
    for (const op of await listOperatorsInWrapUp(this.db)) this.scheduleWrapUpEnd(op.id, op.wrapup_until ?? new Date());
  }

  stop(): void {
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
  }

  private scheduleWrapUpEnd(id: string, until: Date): void {
    clearTimeout(this.wrapUpTimers.get(id));
    const t = setTimeout(() => {
      this.wrapUpTimers.delete(id);
      this.get(id)
        .then((op) => (op.state === 'wrap_up' && !op.wrapup_call_id ? this.change(id, 'available', null) : undefined))
        .catch((err: Error) => this.log.warn({ operatorId: id, err: err.message }, 'ending wrap-up failed'));
    }, Math.max(0, until.getTime() - Date.now()));
    t.unref();
    this.wrapUpTimers.set(id, t);
  }

  private async change(id: string, state: OperatorState, reason: string | null, wrapupUntil: Date | null = null): Promise<OperatorRow> {
    const row = await changeOperatorState(this.db, id, state, reason, wrapupUntil);
    if (!row) throw new NotFoundError('operator', id);
    this.changeNo.set(id, ++this.changes);
    if (this.mine(row) && row.state === 'available') this.availableNow.set(id, row);
    else this.availableNow.delete(id);
    if (this.mine(row) && row.state !== 'offline') this.loggedInNow.set(id, row);
    else this.loggedInNow.delete(id);
    if (state !== 'wrap_up') clearTimeout(this.wrapUpTimers.get(id));
    await this.asterisk.syncFallback(row);
    // Only this node's ACD can ring them; their own instance notices on its next pass (CallService's re-check).
    if (state === 'available' && this.mine(row)) this.listener?.operatorAvailable(row.lines);
    for (const fn of this.changeListeners) fn(row);
    return row;
  }

  /** At every ARI connect: the endpoints Asterisk lacks or that changed (operator-asterisk.ts). */
  pushEndpoints(): Promise<{ pushed: number; operators: number }> {
    return this.asterisk.pushEndpoints();
  }

  /** At every AMI connect: each operator's membership of their home line's fallback queue. */
  syncAllFallback(): Promise<void> {
    return this.asterisk.syncAllFallback();
  }

  /** Homed on the node this instance drives. */
  private mine(op: OperatorRow): boolean {
    return op.pbx_node === this.node;
  }
}
