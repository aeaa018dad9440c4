// The alerts feature as the composition root (app.ts) wires it: the service, its routes, and
// where the longest wait comes from. The waiting callers are the call core's (its waiting lists
// and the ledger's live rows, both in memory): the evaluator reads them on its timer and never
// touches Postgres for them, nor changes anything of the call core.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { callbackIdOf, type WaitingLists } from '../queues/waiting-list.js';
import { oldestOf } from './alert-rules.js';
import { alertRoutes } from './alert.routes.js';
import { AlertService } from './alert.service.js';

export interface AlertsModuleDeps {
  db: Db;
  log: Logger;
  node: string;
  serviceLevelSec: number;
  /** The configured lines. */
  lines: LineCatalog;
  /** The call core's waiting lists (CallService.waiting). */
  waiting: WaitingLists;
  /** When a live call was first queued (the call ledger's row in memory). */
  queuedAt(callId: string): Date | null | undefined;
  kickDeliveries(): Promise<unknown>;
}

/**
 * When the line's longest waiting caller took their place: their row's queued_at (the same as
 * the wallboard counts from), or their rank when the row has none. Callback placeholders are no
 * caller on the line: their caller hung up and is called back.
 */
export function oldestWaiting(waiting: WaitingLists, queuedAt: AlertsModuleDeps['queuedAt'], line: Line): Date | null {
  return oldestOf(waiting.entries(line).filter((e) => !callbackIdOf(e.id)).map((e) => queuedAt(e.id)?.getTime() ?? e.rank));
}

export function createAlerts(d: AlertsModuleDeps): { service: AlertService; routes: FastifyPluginAsyncTypebox } {
  const service = new AlertService({
    db: d.db,
    log: d.log,
    node: d.node,
    serviceLevelSec: d.serviceLevelSec,
    lines: d.lines,
    oldestWaiting: (line) => oldestWaiting(d.waiting, d.queuedAt, line),
    kickDeliveries: d.kickDeliveries,
  });
  return { service, routes: alertRoutes(service) };
}
