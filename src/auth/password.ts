// Panel passwords with scrypt (N=2^15, r=8, p=1: ~30 ms and 32 MB per hash, OWASP's minimum
// for scrypt), stored as scrypt$N$r$p$salt$hash so the parameters can be raised later.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))));

const N = 2 ** 15;
const R = 8;
const P = 1;
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // No password set: spend the same time anyway, so a login name cannot be told apart by timing.
  const parts = (stored ?? `scrypt$${N}$${R}$${P}$${randomBytes(16).toString('base64url')}$`).split('$');
  const [alg, n, r, p, salt, hash] = parts;
  if (alg !== 'scrypt' || !salt) return false;
  const want = Buffer.from(hash ?? '', 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), 32, { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return stored !== null && want.length === got.length && timingSafeEqual(want, got);
}
