// Click-to-call wired in one place, so the composition root (app.ts) adds one line: the call
// core's flow (with the callback rules' per-number limit), the request's service and its route.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/database.js';
import { checkNumber, type NumberRules } from '../callbacks/callback-number.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { CallService } from './call.service.js';
import type { OutboundCallSettings } from './outbound-calls.js';
import { withinNumberLimit } from './outbound-calls.repository.js';
import { outboundCallRoutes } from './outbound-calls.routes.js';
import { OutboundCallService } from './outbound-calls.service.js';

export function outboundCallsModule(d: {
  db: Db;
  calls: CallService;
  tickets: TicketService;
  operators: OperatorService;
  settings: { rules: NumberRules; maxPerNumberDay: number } & Pick<OutboundCallSettings, 'dialTemplate' | 'ringSec' | 'callerIds'>;
}): FastifyPluginAsyncTypebox {
  const { rules, maxPerNumberDay, ...s } = d.settings;
  const flow = d.calls.useOutbound({ admit: (number, start) => withinNumberLimit(d.db, number, maxPerNumberDay, start) }, s);
  const service = new OutboundCallService({ db: d.db, tickets: d.tickets, operators: d.operators, flow, check: (raw) => checkNumber(raw, rules) });
  return outboundCallRoutes(service);
}
