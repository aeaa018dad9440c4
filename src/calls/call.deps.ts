// What the call service is built from (app-call-core.ts wires it): its collaborators, the
// settings it reads, and how it reports. Apart from call.service.ts only for that file's length.
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { IvrFlow } from '../ivr/ivr-flow.js';
import type { Language, Line } from '../vocabulary.js';
import type { VerificationService } from '../verification/verification.service.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { PriorityRule } from '../queues/priority.js';
import type { PanelPort } from './panel.port.js';
import type { EventPublisher } from '../outbound/outbound.service.js';
import type { CallLedger } from './call-ledger.js';
import type { BusinessHours } from '../lines/business-hours.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { CallRow } from './call.table.js';
import type { CallObserver } from './call-observer.js';
import type { CallbackCallSettings } from './callback-calls.js';
import type { PbxPort } from './pbx.port.js';

export interface CallServiceDeps {
  db: Kysely<Database>;
  /** The live calls' rows: changed in memory, written behind to Postgres. */
  ledger: CallLedger;
  pbx: PbxPort;
  tickets: TicketService;
  recordings: RecordingService;
  operators: OperatorService;
  verification: VerificationService;
  businessHours: () => BusinessHours;
  /** The configured lines (their sticky ring time, ...). */
  lines: LineCatalog;
  flow: () => IvrFlow;
  log: Logger;
  observer?: CallObserver;
  /** Outbound events (webhooks, helpdesk connectors); none when absent. */
  events?: EventPublisher;
  /** Operator panels (screen pops); none when absent. */
  panels?: PanelPort;
  /** Calls the dialplan's fallback path took (shed): reclaim hands it those still up. */
  fallback?: { adopt(row: CallRow): void };
  /** Overload: while it sheds, new callers are handed to the dialplan fallback (overload-guard.ts). */
  overload?: { readonly shedding: boolean; reassert(): void; callerWhileShedding(): void };
  settings: {
    /** The Asterisk node this instance drives (PBX_NODE): its calls and operators. */
    node: string;
    promptsDir: string;
    defaultLanguage: Language;
    ringTimeoutSec: number;
    /** Head starts in the queue for verified callers and high/critical tickets. */
    priority: PriorityRule;
    /** Also record each leg on its own (RECORD_LEGS). */
    recordLegs?: boolean;
    /** Seconds the caller gets to rate the call after the operator hangs up (0: no survey). */
    surveyTimeoutSec: number;
    callback: Omit<CallbackCallSettings, 'defaultLanguage' | 'node'>;
  };
  /** Operators of a line who are logged in (not offline), for the wait estimate. */
  staffed: (line: Line) => Promise<number>;
}
