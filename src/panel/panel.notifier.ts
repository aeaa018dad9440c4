// The only thing that pushes to operator panels: one Server-Sent Events stream per open panel,
// keyed by operator, so a call's screen pop goes to the operator being rung and nobody else.
import type { Logger } from 'pino';
import type { PanelPort } from '../calls/panel.port.js';
import type { AssigneeRing } from '../calls/call-phase.js';
import { rungAs, type PopMade, type ScreenPopService } from './screen-pop.service.js';
import type { EventStream } from '../http/event-stream.js';
import type { OperatorRow } from '../operators/operator.table.js';
import { panelOperator } from './panel.dto.js';


export class PanelNotifier implements PanelPort {
  private readonly streams = new Map<string, Set<EventStream>>();
  /** Per operator, events go out in the order they happened, although a screen pop takes a moment to build. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Told how long each pop took from the ring to being sent, and where it came from (metrics). */
  private observer: { screenPopSent(ms: number, made: PopMade): void } | undefined;

  constructor(private readonly pops: ScreenPopService, private readonly log: Logger) {}

  observe(observer: { screenPopSent(ms: number, made: PopMade): void }): void {
    this.observer = observer;
  }

  attach(operatorId: string, stream: EventStream): () => void {
    const set = this.streams.get(operatorId) ?? new Set<EventStream>();
    set.add(stream);
    this.streams.set(operatorId, set);
    return () => {
      set.delete(stream);
      if (!set.size) this.streams.delete(operatorId);
    };
  }

  /** Ends every open stream; the panels reconnect to the next instance. */
  closeAll(): void {
    for (const set of this.streams.values()) for (const s of set) s.end();
    this.streams.clear();
  }

  private push(operatorId: string, event: string, data: () => Promise<unknown>): void {
    if (!this.streams.has(operatorId)) return;
    const next = (this.tails.get(operatorId) ?? Promise.resolve())
      .then(data)
      .then((d) => {
        if (d !== undefined) for (const s of this.streams.get(operatorId) ?? []) s.send(event, d);
      })
      .catch((err: Error) => this.log.warn({ operatorId, event, err: err.message }, 'panel event not sent'));
    this.tails.set(operatorId, next);
    void next.then(() => {
      if (this.tails.get(operatorId) === next) this.tails.delete(operatorId);
    });
  }

  /** The operators with a panel open now (a feed of its own picks whom to tell: panel-tickets.notifier.ts). */
  connected(): string[] {
    return [...this.streams.keys()];
  }

  /** An event for one operator's open panels, in order with their call events. */
  send(operatorId: string, event: string, data: unknown): void {
    this.push(operatorId, event, async () => data);
  }

  ringing(operatorId: string, callId: string, assignee?: AssigneeRing): void {
    const t0 = performance.now();
    this.push(operatorId, 'ringing', async () => {
      const served = await this.pops.served(callId);
      if (!served) return undefined;
      this.observer?.screenPopSent(performance.now() - t0, served.made);
      // Why this operator (sticky routing): the ring's own, not the call's, so not part of the pop made ahead.
      return assignee ? { ...served.pop, rungAs: rungAs(assignee) } : served.pop;
    });
  }

  callOver(operatorId: string, callId: string, how: 'answered' | 'missed' | 'ended'): void {
    this.push(operatorId, how, async () => ({ callId }));
  }

  /** The operator's own state (available, wrap-up with its timer, paused…), as the server has it. */
  stateChanged(op: OperatorRow): void {
    this.push(op.id, 'state', async () => panelOperator(op));
  }
}
