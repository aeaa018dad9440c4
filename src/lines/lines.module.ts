// The lines' admin API and what a replacement must not break: the running IVR flow may route only
// to configured lines callers can reach, so a configuration that takes one away is refused
// (naming the flow's paths) until the flow is changed first; nor may it remove a line operators
// still serve or callers wait on now (naming them). Business hours kept for a line that is not
// configured are warned about, at start and after each replacement (line-uses.ts says why).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { LinesInUseError } from '../errors.js';
import { lineErrors } from '../ivr/ivr-flow.js';
import type { IvrFlowStore } from '../ivr/ivr-flow.store.js';
import { listOperators } from '../operators/operator.repository.js';
import type { Line } from '../vocabulary.js';
import type { BusinessHours } from './business-hours.js';
import type { LineCatalog } from './line-catalog.js';
import type { LineConfigStore } from './line-config.store.js';
import { removedLines, servedProblems, unknownHoursLines, waitingProblems } from './line-uses.js';
import { linesRoutes } from './lines.routes.js';

export interface LinesModuleDeps {
  store: LineConfigStore;
  flows: IvrFlowStore;
  db: Db;
  /** The callers (and callbacks due) waiting on each line on this instance. */
  waiting: { size(line: Line): number };
  hours: () => BusinessHours;
  log: Logger;
}

export function linesModule(d: LinesModuleDeps): { routes: FastifyPluginAsyncTypebox } {
  d.store.check((next) => {
    const uses = lineErrors(d.flows.current().source, next);
    if (uses.length) throw new LinesInUseError('the running IVR flow', uses);
  });
  d.store.checkReading(async (next) => {
    const removed = removedLines(d.store.catalog, next);
    if (!removed.length) return;
    const uses = servedProblems(removed, await listOperators(d.db));
    if (uses.length) throw new LinesInUseError('the running service', uses);
  });
  d.store.check((next) => {
    const uses = waitingProblems(removedLines(d.store.catalog, next), d.waiting);
    if (uses.length) throw new LinesInUseError('the running service', uses);
  });
  const warnHours = (lines: LineCatalog) => {
    for (const p of unknownHoursLines(d.hours(), lines)) d.log.warn({ file: 'BUSINESS_HOURS_FILE', path: p.path }, p.message);
  };
  warnHours(d.store.catalog);
  d.store.onReplaced(warnHours);
  return { routes: linesRoutes(d.store) };
}
