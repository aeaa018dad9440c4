// The missed-calls feature wired in one place, so the composition root (app.ts) adds two lines:
// its routes, and its look on the app's 2-second timer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { PanelNotifier } from '../panel/panel.notifier.js';
import { MissedCallFollower, type FollowerSettings } from './missed-call.follower.js';
import { MissedCallNotifier } from './missed-call.notifier.js';
import { missedCallRoutes } from './missed-call.routes.js';
import { MissedCallService, type MissedCallbacks } from './missed-call.service.js';

export interface MissedCalls {
  routes: FastifyPluginAsyncTypebox;
  /** One look at the transitions written since the last (app-timers.ts). */
  follow(): Promise<void>;
}

export function missedCallsModule(d: { db: Db; callbacks: MissedCallbacks; panels: Pick<PanelNotifier, 'send' | 'connected'>; settings: FollowerSettings; log: Logger }): MissedCalls {
  const notifier = new MissedCallNotifier(d.db, d.panels, (n) => d.callbacks.refusal(n), d.log);
  const service = new MissedCallService(d.db, d.callbacks, notifier, d.log);
  const follower = new MissedCallFollower(d.db, service, d.callbacks, notifier, d.settings, d.log);
  return { routes: missedCallRoutes(service), follow: () => follower.follow() };
}
