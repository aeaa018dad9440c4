// Internal calls (issue 19), wired in one place: the dialplan's UserEvents about calls between
// colleagues (AMI) reach the ACD's filter and the panels' colleague lists; the recording setting
// reaches the dialplan at every ARI connect.
import type { Logger } from 'pino';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { colleagueOf } from './colleague.js';
import { ColleagueNotifier, type PanelPush } from './colleague.notifier.js';
import { colleagueRoutes } from './colleague.routes.js';
import { InternalCalls, type InternalCallEvent } from './internal-calls.js';
import type { OperatorService } from './operator.service.js';

export function colleaguesModule(d: {
  operators: OperatorService;
  panels: PanelPush;
  ami: { onInternalCall(fn: (e: InternalCallEvent) => void): void };
  pbx: { onEvent(fn: (e: { type: string }) => void): void };
  /** The Asterisk adapter (absent with a fake PBX in tests). */
  asterisk?: { setInternalRecording(on: boolean): Promise<void> };
  recorded: boolean;
  log: Logger;
}): { routes: FastifyPluginAsyncTypebox; internal: InternalCalls; stop(): void } {
  const internal = new InternalCalls();
  d.operators.useInternalCalls(internal);
  d.ami.onInternalCall((e) => internal.apply(e));
  const notifier = new ColleagueNotifier(d.panels, d.log);
  d.operators.onChange((op) => notifier.changed(colleagueOf(op, d.operators.inInternalCall(op))));
  internal.onChange((endpoints) => {
    for (const ep of endpoints) {
      d.operators
        .byEndpoint(ep)
        .then((op) => op && notifier.changed(colleagueOf(op, d.operators.inInternalCall(op))))
        .catch((err: Error) => d.log.warn({ endpoint: ep, err: err.message }, 'colleague state not told'));
    }
  });
  // A global of Asterisk's, lost when it restarts: set again at every connect.
  d.pbx.onEvent((e) => {
    if (e.type !== 'connected' || !d.asterisk) return;
    d.asterisk.setInternalRecording(d.recorded).catch((err: Error) => d.log.error({ err: err.message }, 'internal call recording setting not sent to Asterisk'));
  });
  return { routes: colleagueRoutes(d.operators), internal, stop: () => notifier.stop() };
}
