// `pbxdesk recordings verify | rearchive`, `pbxdesk retention purge`: the custody tasks an
// admin runs offline, with the service up or not.
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { CustodyService } from '../recordings/custody.service.js';
import { resolveFfmpeg } from '../recordings/ffmpeg.js';
import { listRecordingsByStatus } from '../recordings/recording.repository.js';
import { insertAudit } from '../recordings/recording-custody.repository.js';
import { RecordingService } from '../recordings/recording.service.js';
import { makeArchiveStores, makeIncomingStore } from '../recordings/archive-store.factory.js';
import type { RecordingStatus } from '../recordings/recording.table.js';
import { Progress } from './progress.js';

export async function recordingsCommand(db: Kysely<Database>, config: Config, cmd: string, sub: string | undefined, rest: string[]): Promise<number> {
  const custody = new CustodyService(db, config.recordings.retentionDays, makeArchiveStores(config.recordings), makeIncomingStore(config.recordings));
  if (cmd === 'recordings' && sub === 'verify') {
    let bar: Progress | undefined;
    const r = await custody.verifyChain((done, total) => (bar ??= new Progress('verifying', total)).tick(done));
    await insertAudit(db, { recordingId: null, action: 'verify', role: 'cli', detail: { ok: r.ok, entries: r.entries, problems: r.problems.length } });
    for (const p of r.problems) process.stdout.write(`${p.problem}\trecording ${p.recordingId}\tentry ${p.entryId}\t${p.detail ?? ''}\n`);
    process.stdout.write(`${r.entries} chain entries, ${r.filesChecked} files checked: ${r.ok ? 'all intact' : `${r.problems.length} problem(s)`}\n`);
    return r.ok ? 0 : 1;
  }
  if (cmd === 'recordings' && sub === 'rearchive') {
    const i = rest.indexOf('--status');
    const statuses = (i >= 0 ? (rest[i + 1] ?? '') : 'failed,spooled').split(',') as RecordingStatus[];
    const idAt = rest.indexOf('--id');
    const only = idAt >= 0 ? rest[idAt + 1] : undefined;
    const rows = (await listRecordingsByStatus(db, statuses)).filter((r) => !only || r.id === only);
    if (only && rows.length === 0) throw new Error(`recording ${only} is not in status ${statuses.join(',')}`);
    const service = new RecordingService(
      db,
      { ...config.recordings, node: config.ari.node, ffmpeg: resolveFfmpeg(config.recordings.ffmpegPath) },
      { enqueue: async () => undefined },
      pino({ level: 'silent' }),
    );
    const bar = new Progress('rearchiving', rows.length);
    let failed = 0;
    for (const [n, r] of rows.entries()) {
      try {
        await service.archive(r.id, true);
        await insertAudit(db, { recordingId: r.id, action: 'rearchive', role: 'cli' });
      } catch (err) {
        failed++;
        process.stderr.write(`\nrecording ${r.id}: ${(err as Error).message}\n`);
      }
      bar.tick(n + 1);
    }
    process.stdout.write(`${rows.length - failed} of ${rows.length} archived\n`);
    return failed ? 1 : 0;
  }
  if (cmd === 'retention' && sub === 'purge') {
    const dryRun = !rest.includes('--yes');
    if (dryRun && !rest.includes('--dry-run')) throw new Error('say --dry-run to list, or --yes to delete');
    let bar: Progress | undefined;
    const r = await custody.purge({ dryRun, onProgress: (done, total) => (bar ??= new Progress('purging', total)).tick(done) });
    for (const x of r.recordings) process.stdout.write(`${dryRun ? 'would delete' : 'deleted'}\t${x.id}\t${x.line ?? '-'}\t${x.startedAt}\t${x.path ?? ''}\n`);
    process.stdout.write(`${r.count} recording(s), ${r.bytes} bytes ${dryRun ? 'past retention (dry run, nothing deleted)' : 'deleted'}\n`);
    return 0;
  }
  throw new Error(`unknown command: ${cmd} ${sub ?? ''}`);
}
