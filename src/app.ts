// Wires the parts together. main.ts runs it as a process; integration tests run it in-process.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { startBackground } from './app-background.js';
import { createCallCore } from './app-call-core.js';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Config } from './config.js';
import { createDb } from './db/database.js';
import { TokenService } from './auth/token.service.js';
import { tokenRoutes } from './auth/token.routes.js';
import { CallService } from './calls/call.service.js';
import { callRoutes } from './calls/call.routes.js';
import { outboundCallsModule } from './calls/outbound-calls.module.js';
import { CallRequests } from './calls/call-requests.js';
import { CallLedger, type LedgerSink } from './calls/call-ledger.js';
import { CallJournal } from './calls/call-journal.js';
import { applyLedgerOps } from './calls/call-ledger.repository.js';
import type { PbxPort } from './calls/pbx.port.js';
import { buildServer } from './http/server.js';
import { IvrFlowStore } from './ivr/ivr-flow.store.js';
import { ivrRoutes } from './ivr/ivr.routes.js';
import { OperatorService } from './operators/operator.service.js';
import { operatorRoutes } from './operators/operator.routes.js';
import { operatorSkillsRoutes } from './operators/operator-skills.routes.js';
import { AmiConnection } from './pbx/ami-connection.js';
import { AriConnection } from './pbx/ari-connection.js';
import { AriPbxAdapter } from './pbx/ari-pbx.adapter.js';
import { NodeLock } from './db/node-lock.repository.js';
import { LinesInUseError, NodeTakenError } from './errors.js';
import { RecordingArchiveQueue } from './recordings/recording-archive.queue.js';
import { RecordingService } from './recordings/recording.service.js';
import { CustodyService } from './recordings/custody.service.js';
import { RecordingAccessService } from './recordings/recording-access.service.js';
import { resolveFfmpeg } from './recordings/ffmpeg.js';
import { RetentionQueue } from './recordings/retention.queue.js';
import { recordingRoutes } from './recordings/recording.routes.js';
import { accountRecordingRoutes } from './recordings/account-recording.routes.js';
import { TicketService } from './tickets/ticket.service.js';
import { ticketRoutes } from './tickets/ticket.routes.js';
import { panelTicketsModule } from './panel/panel-tickets.module.js';
import { SessionService } from './auth/session.service.js';
import { PanelNotifier } from './panel/panel.notifier.js';
import { ScreenPopService } from './panel/screen-pop.service.js';
import { panelRoutes } from './panel/panel.routes.js';
import { panelPageRoutes } from './panel/panel-pages.routes.js';
import { WrapUpService } from './panel/wrap-up.service.js';
import { TicketClaimService } from './panel/ticket-claim.service.js';
import { RepeatCallers } from './panel/repeat-caller.service.js';
import type { LiveCallView } from './panel/pop-cache.js';
import type { CallSession } from './calls/call-session.js';
import { CallTickets } from './calls/call-tickets.js';
import { WallboardService } from './supervisor/wallboard.service.js';
import { WallboardNotifier } from './supervisor/wallboard.notifier.js';
import { MonitorService } from './supervisor/monitor.service.js';
import { supervisorRoutes } from './supervisor/supervisor.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { withLineTargets } from './reports/staffing-plan.js';
import { attachSipWebSocketProxy } from './pbx/sip-websocket.proxy.js';
import { sessionRoutes } from './auth/session.routes.js';
import { panelPasswordRoutes } from './auth/panel-password.routes.js';
import { SlaQueue } from './tickets/sla.queue.js';
import { loadConnectors } from './connectors/connector.js';
import { OutboundService } from './outbound/outbound.service.js';
import { OutboundQueue } from './outbound/outbound.queue.js';
import { outboundRoutes } from './outbound/outbound.routes.js';
import { ticketEventsNotifier } from './outbound/ticket-events.notifier.js';
import { Metrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/metrics.routes.js';
import { countOperatorsByState } from './operators/operator.repository.js';
import { runStartupChecks } from './startup-checks.js';
import { VerificationService } from './verification/verification.service.js';
import { verificationRoutes } from './verification/verification.routes.js';
import { CallbackService } from './callbacks/callback.service.js';
import { CallbackQueue } from './callbacks/callback.queue.js';
import { callbackRoutes } from './callbacks/callback.routes.js';
import { loadBusinessHours } from './lines/business-hours.js';
import { LineConfigStore } from './lines/line-config.store.js';
import { checkSettingLines, guardRouteLines } from './lines/line-guard.js';
import { linesModule } from './lines/lines.module.js';
import { lineNamesRoutes } from './lines/line-names.routes.js';
import { missedCallsModule } from './missed/missed-call.module.js';
import { qaModule } from './qa/qa.module.js';
import { createAlerts } from './alerts/alert.module.js';
import { colleaguesModule } from './operators/colleague.module.js';

export interface App {
  server: FastifyInstance;
  calls: CallService;
  /** The live calls' rows, written behind to Postgres (the call core's tests wait on and check it). */
  ledger: CallLedger;
  operators: OperatorService;
  tokens: TokenService;
  custody: CustodyService;
  recordings: RecordingService;
  callbacks: CallbackService;
  verification: VerificationService;
  ari: AriConnection;
  ami: AmiConnection;
  outbound: OutboundService;
  metrics: Metrics;
  start(): Promise<string>;
  /** drainMs: how long calls still in the IVR or queue get to settle before the process lets go. */
  stop(drainMs?: number): Promise<void>;
}

/**
 * Parts a test puts in place of the real ones (the call core's fast tests, test/calls/call-core*):
 * a PbxPort of its own instead of Asterisk (ARI and AMI are then never started), and the sink
 * the call ledger writes its batches to.
 */
export interface AppParts {
  pbx?: PbxPort;
  ledgerSink?: LedgerSink;
}

export async function createApp(config: Config, log: Logger, parts: AppParts = {}): Promise<App> {
  // The configuration files before any connection: a bad one refuses to start, naming every path.
  // The lines first: the IVR flow routes to them.
  const lineConfig = await LineConfigStore.open(config.linesFile);
  // The configured lines (issue 21), owned in memory; the admin API replaces them whole.
  const lines = lineConfig.catalog;
  checkSettingLines(lines, 'CLICK_TO_CALL_CALLER_ID', Object.keys(config.clickToCall.callerIds.byLine));
  // Nor may the admin API take such a line away: the next start would refuse the setting.
  lineConfig.check((next) => {
    const named = Object.keys(config.clickToCall.callerIds.byLine).filter((id) => !next.has(id));
    if (named.length) throw new LinesInUseError('the CLICK_TO_CALL_CALLER_ID setting', named.map((id) => ({ path: `/settings/CLICK_TO_CALL_CALLER_ID/${id}`, message: `names line "${id}", which this configuration removes` })));
  });
  const flows = await IvrFlowStore.open(config.ivr.flowFile, lines);
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  // BullMQ's blocking commands need maxRetriesPerRequest: null on its connection.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  try {
    await runStartupChecks(config, db, redis);
  } catch (err) {
    redis.disconnect();
    await db.destroy();
    throw err;
  }

  // A per-line retention or staffing target may name a line the configuration no longer has (its
  // recordings and history keep the rule): warned about, not refused, so removing a line never stops a start.
  const perLine = { RECORDING_RETENTION_DAYS: config.recordings.retentionDays.byLine, STAFFING_SERVICE_LEVEL: config.reports.staffingTarget.byLine };
  for (const [setting, byLine] of Object.entries(perLine)) for (const line of Object.keys(byLine).filter((id) => !lines.has(id))) log.warn({ setting, line }, 'a per-line setting names a line that is not configured (LINES_FILE)');
  const tokens = new TokenService(db, config.secretKey, config.auth.outageGraceSec);
  if (config.bootstrapAdminToken) await tokens.ensureBootstrapAdmin(config.bootstrapAdminToken);

  const ari = new AriConnection(config.ari, log.child({ component: 'ari' }));
  const ami = new AmiConnection(config.ami, log.child({ component: 'ami' }));
  const ariPbx = parts.pbx ? undefined : new AriPbxAdapter(ari, config.ari, log.child({ component: 'pbx' }));
  const pbx: PbxPort = parts.pbx ?? (ariPbx as AriPbxAdapter);

  const archiveQueue = new RecordingArchiveQueue(redis, config.queuePrefix, config.ari.node, config.recordings);
  // eslint-disable-next-line prefer-const -- assigned once the call service it reads exists
  let metrics: Metrics;
  const recordings = new RecordingService(
    db,
    { ...config.recordings, node: config.ari.node, ffmpeg: resolveFfmpeg(config.recordings.ffmpegPath) },
    archiveQueue,
    log.child({ component: 'recordings' }),
    (bytes) => metrics.archived(bytes),
  );
  const custody = new CustodyService(db, config.recordings.retentionDays, recordings.stores, recordings.incoming);
  const access = new RecordingAccessService(db, recordings.stores);
  const retentionQueue = new RetentionQueue(redis, config.queuePrefix);
  // Outbound events: stored, then delivered per subscriber through its connector (BullMQ).
  const outbound = new OutboundService(db, config.secretKey, await loadConnectors(), config.outbound, log.child({ component: 'outbound' }), config.connectors);
  const outboundQueue = new OutboundQueue(redis, config.queuePrefix);
  outbound.useQueue(outboundQueue);
  recordings.useEvents(outbound);
  const sessions = new SessionService(db, config.secretKey, { ...config.panel, outageGraceSec: config.auth.outageGraceSec }, log.child({ component: 'panel-sessions' }));
  const tickets = new TicketService(db, config.tickets.sla, undefined, lines);
  // Operator panels: screen pops pushed over Server-Sent Events to the operator being rung.
  // The pop reads a live call's row from the call ledger (declared below; read only when a call rings).
  // Made ahead while the caller waits (pop-cache.ts), with the caller's other open tickets.
  const repeatCallers = new RepeatCallers(db, config.callbacks.defaultRegion);
  const pops: ScreenPopService = new ScreenPopService(db, tickets, (id) => ledger.row(id), { session: (id): CallSession | undefined => calls.session(id), live: (): Iterable<LiveCallView> => calls.live.all().values(), wanted: () => panels.connected().length > 0, repeat: repeatCallers, ticket: (id) => calls.knownTicket(id) });
  const panels = new PanelNotifier(pops, log.child({ component: 'panels' }));
  const slaQueue = new SlaQueue(redis, config.queuePrefix);
  // Ticket lists between calls; ticket changes go to the panels of the lines that see them too.
  const ticketLists = panelTicketsModule({ db, tickets, panels, lineOf: async (id) => (await operators.get(id)).lines, log: log.child({ component: 'panel-tickets' }) });
  tickets.connect({ notifier: ticketLists.notifier(ticketEventsNotifier(outbound)), scheduler: slaQueue });
  outbound.onRemoteChange((connector, change) => tickets.remoteChanged(connector, change));
  const verification = new VerificationService(db, config.secretKey, config.verification, log.child({ component: 'verification' }));
  verification.useEvents(outbound);
  const businessHours = await loadBusinessHours(config.businessHoursFile);
  const callbackQueue = new CallbackQueue(redis, config.queuePrefix);
  // The adapter itself when it is Asterisk: it also tells which endpoints Asterisk has (only what changed is pushed).
  const operators = new OperatorService(db, config.sip.realm, ariPbx ?? pbx, ami, log.child({ component: 'operators' }), config.sip.wrapUpSec, config.sip.wrapUpRule, config.ari.node, lines);
  // Supervisor pages: the wallboard is pushed when a call moves or an operator changes state.
  const wallboard = new WallboardService(db, () => businessHours, config.sip.serviceLevelSec, lines);
  const boards = new WallboardNotifier(wallboard, log.child({ component: 'wallboard' }));
  operators.onChange((op) => {
    panels.stateChanged(op);
    ticketLists.operatorChanged(op);
    boards.changed();
  });
  // The live calls' rows: in memory first, journalled locally, written behind to Postgres.
  // Its own connection, not the shared pool: behind tickets, the archive and the API on a busy
  // machine the batches waited for a pooled connection long enough to trip the overload guard
  // (a 6-s backlog a minute into a 20 calls/s soak). The flush loop sends one batch at a time.
  const ledgerDb = parts.ledgerSink ? undefined : createDb(config.databaseUrl, 1);
  const ledger = new CallLedger(
    parts.ledgerSink ?? { apply: (ops) => applyLedgerOps(ledgerDb ?? db, ops) },
    new CallJournal(path.join(config.callJournalDir, `calls-${config.ari.node}.jsonl`)),
    log.child({ component: 'call-ledger' }),
    undefined,
    (ms) => metrics.ledgerWritten(ms),
  );
  operators.liveCallLine = (id) => ledger.row(id)?.line;
  const { calls, overload, lag } = createCallCore({
    config, db, ledger, ami, pbx, tickets, recordings, operators, verification, lines, panels, log, pops, boards,
    businessHours: () => businessHours,
    events: outbound,
    flow: () => flows.current(),
    metrics: () => metrics,
  });
  const callbacks = new CallbackService(db, callbackQueue, () => businessHours, config.callbacks, () => calls, log.child({ component: 'callbacks' }), tickets);
  callbacks.useEvents(outbound);
  calls.useCallbacks(callbacks);
  // Missed calls followed up: derived from the calls the ledger wrote (never on the caller's path).
  // Internal calls: the panels' colleague list, and calls between colleagues (dialplan, AMI) kept from the ACD.
  const colleagues = colleaguesModule({ operators, panels, ami, pbx, asterisk: ariPbx, recorded: config.internalCalls.recorded, log: log.child({ component: 'colleagues' }) });
  const missed = missedCallsModule({ db, callbacks, panels, settings: { defaultRegion: config.callbacks.defaultRegion, ...config.missedCalls }, log: log.child({ component: 'missed-calls' }) });

  metrics = new Metrics({
    calls: () => calls.snapshot(),
    lines: () => lines.ids(),
    operators: () => countOperatorsByState(db),
    connections: () => ({ ari: ari.isConnected(), ami: ami.isConnected(), ariReconnects: ari.reconnects, amiReconnects: ami.reconnects }),
    load: () => {
      const l = ledger.stats();
      return { shedding: overload.shedding, sheds: overload.sheds, ledgerBacklog: l.backlog, ledgerOldestMs: l.oldestMs, ledgerFailing: l.failingSince !== null };
    },
    queues: async () => ({
      'recording-archive': await archiveQueue.counts(),
      'retention-purge': await retentionQueue.counts(),
      'callback-due': await callbackQueue.counts(),
      'ticket-sla': await slaQueue.counts(),
      'outbound-delivery': await outboundQueue.counts(),
    }),
  });

  // Supervisor alerts: judged on a timer (app-timers.ts), pushed to the wallboard and as outbound events.
  const alerts = createAlerts({ db, log: log.child({ component: 'alerts' }), node: config.ari.node, serviceLevelSec: config.sip.serviceLevelSec, lines, waiting: calls.waiting, queuedAt: (id) => ledger.row(id)?.queued_at, kickDeliveries: () => outbound.sweep() });
  alerts.service.onChange((e) => boards.alertsChanged(e));

  outbound.observe(metrics);
  verification.observe(metrics);
  panels.observe(metrics);

  // Asterisk forgets astdb-less state and AMI queue members can drift: push Postgres's truth on every connect.
  pbx.onEvent((e) => {
    if (e.type === 'connected') {
      operators.pushEndpoints().catch((err: Error) => log.error({ err: err.message }, 'pushing endpoints failed'));
    }
  });
  ami.whenConnected(() => {
    operators.syncAllFallback().catch((err: Error) => log.error({ err: err.message }, 'fallback queue sync failed'));
  });

  const server = await buildServer({
    log,
    tokens,
    validateResponses: config.http.validateResponses,
    rateLimit: { redis, prefix: config.queuePrefix },
    trustProxy: config.http.trustProxy,
    sessions,
    // Every line id a request names is checked against the configured lines (400 unknown_line).
    onApiRoute: guardRouteLines(lines),
    extra: [sessionRoutes(sessions, config.sip.domain), panelPageRoutes, ...(config.metricsToken ? [metricsRoutes(metrics, config.metricsToken)] : [])],
    probes: [
      { name: 'postgres', check: async () => (await sql`SELECT 1`.execute(db), true) },
      { name: 'redis', check: async () => (await redis.ping()) === 'PONG' },
      { name: 'ari', check: async () => ari.isConnected() },
      { name: 'ami', check: async () => ami.isConnected() },
    ],
    // Not a reason to take the service out of rotation, but an operator must see it.
    warnings: () => {
      const f = recordings.recentFailure();
      return f ? [`recordings: archiving failed recently: ${f}`] : [];
    },
    api: [
      operatorRoutes(operators, config.sip),
      operatorSkillsRoutes(operators),
      callRoutes(db, calls, new CallRequests(calls, { db, tickets, ledger, pbx, operators, lines, log: log.child({ component: 'calls' }) })),
      outboundCallsModule({ db, calls, tickets, operators, settings: { rules: config.callbacks, maxPerNumberDay: config.callbacks.maxPerNumberDay, dialTemplate: config.callbacks.dialTemplate, ringSec: config.callbacks.ringSec, callerIds: config.clickToCall.callerIds } }),
      ticketRoutes(tickets),
      ticketLists.routes,
      recordingRoutes(access, custody),
      accountRecordingRoutes(access),
      tokenRoutes(tokens),
      ivrRoutes(flows),
      linesModule({ store: lineConfig, flows, db, waiting: calls.waiting, hours: () => businessHours, log: log.child({ component: 'lines' }) }).routes,
      lineNamesRoutes(lines),
      verificationRoutes(verification),
      callbackRoutes(callbacks),
      missed.routes,
      colleagues.routes,
      outboundRoutes(outbound),
      panelPasswordRoutes(sessions, operators),
      panelRoutes(db, panels, operators, new WrapUpService(db, operators, tickets), new TicketClaimService(db, new CallTickets(db, tickets, log.child({ component: 'calls' })), tickets, (id) => calls.session(id), verification, { repeat: repeatCallers, ledger })),
      alerts.routes,
      supervisorRoutes(db, wallboard, boards, new MonitorService(db, pbx, log.child({ component: 'monitor' })), () => businessHours, lines),
      reportRoutes(db, () => businessHours, withLineTargets(config.reports.staffingTarget, lines), lines),
      ...qaModule(db, lines).routes,
    ],
  });
  // The panel's softphone: SIP over the service's WebSocket, relayed to Asterisk for signed-in panels only.
  attachSipWebSocketProxy(server.server, {
    upstream: config.sip.wsUrl,
    authorize: async (req) => Boolean(await sessions.authenticate({ cookie: req.headers.cookie, method: 'GET', csrf: undefined })),
    allowedOrigins: config.http.publicOrigins,
    log: log.child({ component: 'sip-ws' }),
  });

  let background: { stop(): Promise<void> } | undefined;
  let nodeLock: NodeLock | undefined;
  return {
    server,
    calls,
    ledger,
    operators,
    tokens,
    custody,
    recordings,
    callbacks,
    verification,
    ari,
    ami,
    outbound,
    metrics,
    async start() {
      // One instance per node; a predecessor just killed may hold the lock a moment longer.
      nodeLock = new NodeLock(config.databaseUrl, config.ari.node, log.child({ component: 'node-lock' }), () => {
        ari.stop();
        ami.stop();
      });
      // Asked every 100 ms for 5 s: a SIGKILLed predecessor's session ends within a moment, and
      // every step of waiting here is time with no instance taking calls.
      for (let i = 0; !(await nodeLock.acquire()); i++) {
        if (i >= 50) throw new NodeTakenError(config.ari.node);
        await new Promise((r) => setTimeout(r, 100));
      }
      try {
        // What a crash left unwritten goes to Postgres before any call is reclaimed from it.
        if (ledger.open() > 0) await ledger.written();
        background = await startBackground({
          config, redis, log, metrics, lag, recordings, custody, retentionQueue, outboundQueue, calls, operators, callbacks, tickets, outbound, overload,
          followMissedCalls: () => missed.follow(),
          evaluateAlerts: () => alerts.service.evaluate(),
        });
        if (!parts.pbx) {
          ari.start();
          ami.start();
        }
        return server.listen({ host: config.http.host, port: config.http.port });
      } catch (err) {
        await nodeLock.release(); // a start that failed must not keep the node from the next one
        throw err;
      }
    },
    async stop(drainMs = 0) {
      // New callers go to the dialplan fallback from here on; calls in progress settle first.
      if (drainMs > 0) await calls.drain(drainMs);
      panels.closeAll();
      boards.closeAll();
      await server.close();
      operators.stop();
      ari.stop();
      ami.stop();
      // Calls' changes go to Postgres before the pool closes; what cannot (Postgres away) stays in the journal.
      await ledger.close(5000);
      await calls.settled(5000);
      await nodeLock?.release();
      await background?.stop();
      lag.disable();
      await slaQueue.close();
      await outboundQueue.close();
      await callbackQueue.close();
      await archiveQueue.close();
      await retentionQueue.close();
      await redis.quit().catch(() => undefined);
      await ledgerDb?.destroy();
      await db.destroy();
    },
  };
}

