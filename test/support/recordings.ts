// Recordings for custody tests without placing calls: a call row as the call service would
// leave it, and a speech WAV in Asterisk's spool made with espeak-ng and sox.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb } from '../../src/db/database.js';
import { insertCall } from '../../src/calls/call.repository.js';
import { insertRecording } from '../../src/recordings/recording.repository.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';

const run = promisify(execFile);
export const db = createDb(process.env.DATABASE_URL as string, 2);

export async function speechWav(file: string, seconds: number): Promise<void> {
  const tmp = path.join(tmpdir(), `${randomUUID()}.espeak.wav`);
  await run('espeak-ng', ['-v', 'ru', '-w', tmp, 'Здравствуйте, это запись разговора для проверки архива. '.repeat(Math.ceil(seconds / 3))]);
  await run('sox', [tmp, '-r', '8000', '-c', '1', '-b', '16', file, 'trim', '0', String(seconds)]);
  await run('rm', ['-f', tmp]);
}

/** A finished call with a recording waiting in the spool, as after a real hangup. */
export async function spooledRecording(opts: { operatorId?: string | null; seconds?: number } = {}) {
  const ticket = await insertTicket(db, { subject: 'custody test', caller_number: '79990000000', line: 'first' });
  const call = await insertCall(db, {
    ticket_id: ticket.id, caller_number: '79990000000', dialled_number: '88005553535', status: 'completed', line: 'first',
    caller_channel_id: `test-${randomUUID()}`, operator_id: opts.operatorId ?? null, ended_at: new Date(), pbx_node: DEFAULT_PBX_NODE,
  });
  const name = `call-${call.id}`;
  const spool = path.join(process.env.RECORDINGS_SPOOL_DIR as string, `${name}.wav`);
  await speechWav(spool, opts.seconds ?? 4);
  const rec = await insertRecording(db, { call_id: call.id, name, status: 'spooled', spool_path: spool, ended_at: new Date(), pbx_node: DEFAULT_PBX_NODE });
  return { call, ticket, rec, spool };
}
