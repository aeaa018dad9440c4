// The ring's screen pop says why it rang this operator when they are the assignee of the
// caller's ticket (sticky routing, src/calls/call-sticky.ts), and how sure the match is: by the
// keyed number only is not verified. An ordinary ring's pop has no such reason.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PanelNotifier } from '../../src/panel/panel.notifier.js';
import type { ScreenPop, ScreenPopService } from '../../src/panel/screen-pop.service.js';

function rig() {
  const pops = { served: async (callId: string) => ({ pop: { callId, callerNumber: '+79991234567' } as ScreenPop, made: 'memory' as const }) } as unknown as ScreenPopService;
  const n = new PanelNotifier(pops, pino({ level: 'silent' }));
  const got: { event: string; data: Record<string, unknown> }[] = [];
  n.attach('op-a', { send: (event, data) => got.push({ event, data: data as Record<string, unknown> }), end: () => undefined });
  const timed: string[] = [];
  n.observe({ screenPopSent: (ms, made) => timed.push(`${made}:${ms >= 0}`) });
  return { n, got, timed };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the ringing pop', () => {
  it('of the ticket’s assignee: the ticket, and whether the match is verified', async () => {
    const { n, got } = rig();
    n.ringing('op-a', 'call-1', { ticketId: '41', ticketNumber: '100041', match: 'keyed', ringSec: 4 });
    n.ringing('op-a', 'call-2', { ticketId: '42', ticketNumber: '100042', match: 'account', ringSec: 4 });
    n.ringing('op-a', 'call-3');
    await settle();
    expect(got.map((g) => [g.event, g.data.callId, g.data.rungAs])).toEqual([
      ['ringing', 'call-1', { reason: 'assignee', ticketId: '41', ticketNumber: '100041', match: 'keyed', verified: false }],
      ['ringing', 'call-2', { reason: 'assignee', ticketId: '42', ticketNumber: '100042', match: 'account', verified: true }],
      ['ringing', 'call-3', undefined],
    ]);
  });

  it('is timed from the ring to being sent, with where it came from (the metric)', async () => {
    const { n, timed } = rig();
    n.ringing('op-a', 'call-1');
    await settle();
    expect(timed).toEqual(['memory:true']);
  });
});
