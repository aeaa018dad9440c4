// Supervisors listen to, whisper into or barge into live calls (ARI snoop, see pbx/ari-monitor).
// Each session is audited in monitor_sessions: who, which call, how, from when to when.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import { findCallById } from '../calls/call.repository.js';
import type { PbxPort } from '../calls/pbx.port.js';
import { ForbiddenError, MonitorUnavailableError, NotFoundError } from '../errors.js';
import { findOperatorById } from '../operators/operator.repository.js';
import { endMonitorSession, insertMonitorSession } from './supervisor.repository.js';

export type MonitorMode = 'listen' | 'whisper' | 'barge';

export class MonitorService {
  constructor(private readonly db: Db, private readonly pbx: Pick<PbxPort, 'monitor' | 'onEvent'>, private readonly log: Logger) {
    pbx.onEvent((e) => {
      if (e.type === 'monitorEnded') {
        endMonitorSession(db, e.monitorId).catch((err: Error) => log.warn({ monitorId: e.monitorId, err: err.message }, 'monitor end not recorded'));
      }
    });
  }

  async start(by: Principal, callId: string, mode: MonitorMode) {
    // The supervisor's own phone is rung, so the session must belong to one (a panel session or an operator-bound token).
    const sup = by.operatorId ? await findOperatorById(this.db, by.operatorId) : undefined;
    if (!sup?.supervisor) throw new ForbiddenError(by.role, ['a supervisor signed in with their phone']);
    const call = await findCallById(this.db, callId);
    if (!call) throw new NotFoundError('call', callId);
    if (call.status !== 'bridged' || !call.operator_channel_id) throw new MonitorUnavailableError(callId, `the call is ${call.status}, not talking to an operator`);
    if (call.operator_id === sup.id) throw new MonitorUnavailableError(callId, 'it is your own call');
    const monitorId = randomUUID();
    // Audited before anything is heard.
    const row = await insertMonitorSession(this.db, { callId, supervisorId: sup.id, mode, snoopChannel: monitorId });
    await this.pbx.monitor({ monitorId, channelId: call.operator_channel_id, endpoint: sup.sip_username, mode, callerId: `"Monitor ${mode}" <monitor>` }).catch(async (err: Error) => {
      await endMonitorSession(this.db, monitorId);
      throw new MonitorUnavailableError(callId, err.message);
    });
    this.log.info({ callId, supervisorId: sup.id, mode, monitorId }, 'monitoring a call');
    return row;
  }
}
