// The lines' admin API and what a replacement must not break: the running IVR flow may route only
// to configured lines callers can reach, so a configuration that takes one away is refused
// (naming the flow's paths) until the flow is changed first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LinesInUseError } from '../errors.js';
import { lineErrors } from '../ivr/ivr-flow.js';
import type { IvrFlowStore } from '../ivr/ivr-flow.store.js';
import type { LineConfigStore } from './line-config.store.js';
import { linesRoutes } from './lines.routes.js';

export function linesModule(d: { store: LineConfigStore; flows: IvrFlowStore }): { routes: FastifyPluginAsyncTypebox } {
  d.store.check((next) => {
    const uses = lineErrors(d.flows.current().source, next);
    if (uses.length) throw new LinesInUseError('the running IVR flow', uses);
  });
  return { routes: linesRoutes(d.store) };
}
