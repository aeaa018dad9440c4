// The only thing that pushes to operator panels: one Server-Sent Events stream per open panel,
// keyed by operator, so a call's screen pop goes to the operator being rung and nobody else.
import type { Logger } from 'pino';
import type { PanelPort } from '../calls/panel.port.js';
import type { ScreenPopService } from './screen-pop.service.js';

export interface PanelStream {
  send(event: string, data: unknown): void;
}

export class PanelNotifier implements PanelPort {
  private readonly streams = new Map<string, Set<PanelStream>>();

  constructor(private readonly pops: ScreenPopService, private readonly log: Logger) {}

  attach(operatorId: string, stream: PanelStream): () => void {
    const set = this.streams.get(operatorId) ?? new Set<PanelStream>();
    set.add(stream);
    this.streams.set(operatorId, set);
    return () => {
      set.delete(stream);
      if (!set.size) this.streams.delete(operatorId);
    };
  }

  private push(operatorId: string, event: string, data: unknown): void {
    for (const s of this.streams.get(operatorId) ?? []) s.send(event, data);
  }

  ringing(operatorId: string, callId: string): void {
    if (!this.streams.has(operatorId)) return;
    this.pops.build(callId).then(
      (pop) => pop && this.push(operatorId, 'ringing', pop),
      (err: Error) => this.log.warn({ operatorId, callId, err: err.message }, 'screen pop not built'),
    );
  }

  callOver(operatorId: string, callId: string, how: 'answered' | 'missed' | 'ended'): void {
    this.push(operatorId, how, { callId });
  }
}
