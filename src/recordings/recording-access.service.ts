// Who may hear which recording, and the audit trail of every access: plays with the byte
// ranges actually streamed, downloads with their reason, refusals included.
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/token.service.js';
import { findCallById } from '../calls/call.repository.js';
import type { Database } from '../db/database.js';
import { ConflictError, ForbiddenError, NotFoundError, RangeNotSatisfiableError, ReasonRequiredError } from '../errors.js';
import { CODEC_MIME, type Codec } from './ffmpeg.js';
import { findRecordingById, listOwnRecordingsOfAccount, searchRecordings, setLegalHold, type RecordingSearch } from './recording.repository.js';
import { insertAudit, listAudit } from './recording-custody.repository.js';
import type { RecordingRow } from './recording.table.js';
import type { ArchiveStores } from './archive.store.js';

export interface AccessContext {
  principal: Principal;
  ip: string;
}

export interface AudioStream {
  stream: Readable;
  status: 200 | 206;
  mime: string;
  size: number;
  start: number;
  end: number;
  download: boolean;
  fileName: string;
}

export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.split(',')[0]?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) throw new RangeNotSatisfiableError(header, size);
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw new RangeNotSatisfiableError(header, size);
  return { start, end };
}

export class RecordingAccessService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly stores: ArchiveStores,
  ) {}

  private audit(ctx: AccessContext, recordingId: string, action: 'play' | 'download' | 'denied' | 'legal_hold' | 'verify', extra: { reason?: string; ranges?: string; detail?: Record<string, unknown> } = {}) {
    return insertAudit(this.db, {
      recordingId, action, tokenId: ctx.principal.tokenId, role: ctx.principal.role, operatorId: ctx.principal.operatorId, ip: ctx.ip, ...extra,
    });
  }

  /** Supervisors and admins hear everything; an operator only the calls they took. */
  async authorize(ctx: AccessContext, id: string): Promise<RecordingRow> {
    const rec = await findRecordingById(this.db, id);
    if (!rec) throw new NotFoundError('recording', id);
    if (ctx.principal.role === 'admin' || ctx.principal.role === 'supervisor') return rec;
    if (ctx.principal.role === 'operator' && rec.call_id) {
      const call = await findCallById(this.db, rec.call_id);
      if (call?.operator_id && call.operator_id === ctx.principal.operatorId) return rec;
    }
    await this.audit(ctx, rec.id, 'denied', { detail: { wanted: 'recording' } });
    throw new ForbiddenError(ctx.principal.role, ['admin', 'supervisor', 'the operator who took the call']);
  }

  async search(ctx: AccessContext, q: RecordingSearch) {
    return searchRecordings(this.db, ctx.principal.role === 'operator' ? { ...q, onlyOperatorId: ctx.principal.operatorId ?? '-1' } : q);
  }

  async audio(ctx: AccessContext, id: string, opts: { range?: string; download: boolean; reason?: string }): Promise<AudioStream> {
    return this.stream(ctx, await this.authorize(ctx, id), opts);
  }

  /** The customer control panel, for a verified customer: only calls bound to the account by a code. */
  async ownRecordings(accountId: string, limit: number, offset: number) {
    return listOwnRecordingsOfAccount(this.db, accountId, limit, offset);
  }

  async ownAudio(ctx: AccessContext, accountId: string, id: string, opts: { range?: string; download: boolean; reason?: string }): Promise<AudioStream> {
    const rec = await findRecordingById(this.db, id);
    if (!rec) throw new NotFoundError('recording', id);
    const call = rec.call_id ? await findCallById(this.db, rec.call_id) : undefined;
    if (!call || call.verification_status !== 'verified' || call.verified_account_id !== accountId) {
      // Not theirs, or only matched by phone number: refused, and the attempt is on record.
      await this.audit(ctx, rec.id, 'denied', { detail: { wanted: 'own recording', accountId } });
      throw new ForbiddenError(ctx.principal.role, ['the verified customer of the call']);
    }
    return this.stream(ctx, rec, opts, { accountId });
  }

  private async stream(ctx: AccessContext, rec: RecordingRow, opts: { range?: string; download: boolean; reason?: string }, extra: Record<string, unknown> = {}): Promise<AudioStream> {
    if (!rec.archive_path) throw new ConflictError(`recording ${rec.id} is ${rec.status}, not archived`, { status: rec.status });
    if (opts.download && !opts.reason?.trim()) throw new ReasonRequiredError();
    const store = this.stores.for(rec.archive_path);
    const size = await store.size(rec.archive_path);
    if (size === undefined) throw new ConflictError(`recording ${rec.id}: the archived file is missing`, { status: rec.status });
    const range = parseRange(opts.range, size);
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    await this.audit(ctx, rec.id, opts.download ? 'download' : 'play', {
      reason: opts.reason, ranges: `${start}-${end}/${size}`, detail: { durationMs: rec.duration_ms, ...extra },
    });
    return {
      stream: await store.read(rec.archive_path, { start, end }),
      status: range ? 206 : 200,
      mime: CODEC_MIME[(rec.codec ?? 'wav') as Codec] ?? 'application/octet-stream',
      size, start, end,
      download: opts.download,
      fileName: `${rec.call_id ?? rec.name}.${rec.format}`,
    };
  }

  async auditTrail(id: string) {
    if (!(await findRecordingById(this.db, id))) throw new NotFoundError('recording', id);
    return listAudit(this.db, id);
  }

  async legalHold(ctx: AccessContext, target: 'recordings' | 'calls' | 'tickets', id: string, hold: boolean, reason: string): Promise<void> {
    if (!(await setLegalHold(this.db, target, id, hold))) throw new NotFoundError(target.slice(0, -1), id);
    await insertAudit(this.db, {
      recordingId: target === 'recordings' ? id : null, action: 'legal_hold', tokenId: ctx.principal.tokenId, role: ctx.principal.role,
      operatorId: ctx.principal.operatorId, ip: ctx.ip, reason, detail: { target, id, hold },
    });
  }
}
