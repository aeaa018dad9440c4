// Demo data for a fresh install: operators of the configured lines, and a day of synthetic calls
// with their tickets and state transitions, so the API and pages have something to show.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { insertCall, transitionCall } from '../calls/call.repository.js';
import { DEFAULT_PBX_NODE } from '../calls/call.table.js';
import { insertOperator, findOperatorByLogin } from '../operators/operator.repository.js';
import { DEFAULT_LINE_IDS, type Line } from '../vocabulary.js';
import { insertTicket } from '../tickets/ticket.repository.js';
import type { Progress } from './progress.js';

const NAMES: [string, string][] = [
  ['demo-anna', 'Анна Петрова'],
  ['demo-boris', 'Борис Иванов'],
  ['demo-clara', 'Clara Smith'],
  ['demo-dmitry', 'Дмитрий Соколов'],
  ['demo-eva', 'Ева Кузнецова'],
];

/** The first three demo operators on the first line (where most calls go), the others round the rest. */
const demoLine = (lines: readonly Line[], i: number): Line => (i < 3 || lines.length < 2 ? lines[0] : lines[1 + ((i - 3) % (lines.length - 1))]) as Line;

/** Most calls on the first line (70%), the rest shared by the other lines. */
const callLine = (lines: readonly Line[]): Line =>
  (Math.random() < 0.7 || lines.length < 2 ? lines[0] : lines[1 + Math.floor(Math.random() * (lines.length - 1))]) as Line;

/** `lines`: the configured lines' ids (LineCatalog.ids()), the first one the IVR's usual choice. */
export async function seedDemo(
  db: Kysely<Database>,
  realm: string,
  calls: number,
  progress: (total: number) => Progress,
  lines: readonly Line[] = DEFAULT_LINE_IDS,
): Promise<{ operators: number; calls: number }> {
  const ops: { id: string; line: Line }[] = [];
  for (const [i, [login, name]] of NAMES.entries()) {
    const line = demoLine(lines, i);
    const existing = await findOperatorByLogin(db, login);
    const username = `op-${login}`;
    const row =
      existing ??
      (await insertOperator(db, {
        login, name, line, sip_username: username,
        // Demo operators get a random SIP password nobody knows: set a real one through the API.
        sip_md5_cred: createHash('md5').update(`${username}:${realm}:${randomUUID()}`).digest('hex'),
      }));
    ops.push({ id: row.id, line: row.line });
  }
  const bar = progress(calls);
  const dayStart = Date.now() - 24 * 3600_000;
  for (let i = 0; i < calls; i++) {
    const line = callLine(lines);
    const op = ops.filter((o) => o.line === line)[i % 2] ?? ops[0]!;
    const caller = `79${String(100000000 + Math.floor(Math.random() * 899999999))}`;
    const entered = new Date(dayStart + Math.floor((i / calls) * 24 * 3600_000));
    const answered = Math.random() > 0.1;
    await db.transaction().execute(async (trx) => {
      const ticket = await insertTicket(trx, { subject: `Call from ${caller}`, caller_number: caller, line });
      const call = await insertCall(trx, {
        ticket_id: ticket.id, caller_number: caller, dialled_number: '88005553535', status: 'ivr',
        caller_channel_id: `seed-${randomUUID()}`, ivr_path: [`menu:main-menu=${lines.indexOf(line) + 1}`], entered_at: entered, pbx_node: DEFAULT_PBX_NODE,
      });
      const at = (s: number) => new Date(entered.getTime() + s * 1000);
      await transitionCall(trx, call.id, 'ivr', 'queued', { line, queued_at: at(12) });
      if (answered) {
        await transitionCall(trx, call.id, 'queued', 'ringing', { operator_id: op.id });
        await transitionCall(trx, call.id, 'ringing', 'bridged', { answered_at: at(40) });
        const talk = 60 + Math.floor(Math.random() * 400);
        await transitionCall(trx, call.id, 'bridged', 'completed', {
          ended_at: at(40 + talk), hangup_cause: 'Normal Clearing', hangup_cause_code: 16, hangup_by: 'caller',
        });
      } else {
        await transitionCall(trx, call.id, 'queued', 'abandoned', {
          ended_at: at(90), hangup_cause: 'Normal Clearing', hangup_cause_code: 16, hangup_by: 'caller',
        });
      }
    });
    bar.tick(i + 1);
  }
  return { operators: ops.length, calls };
}
