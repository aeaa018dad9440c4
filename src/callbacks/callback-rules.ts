// Which numbers may be called back (toll-fraud guard), and when a callback may ring.
// Pure functions: the service feeds them its settings and counters.

export interface NumberRules {
  allowedNumbers: readonly RegExp[];
  deniedPrefixes: readonly string[];
}

/**
 * Digits only. "+7 (999) 123-45-67" is the E.164 number 79991234567: the allowed patterns are
 * written against E.164 and national forms, so a foreign "+44..." falls outside them.
 */
export function normaliseNumber(raw: string): string {
  return raw.trim().replace(/[\s()-]/g, '').replace(/^\+/, '');
}

/**
 * Why a number may not be called back, or undefined when it may. Denied prefixes win over
 * allowed patterns: a premium-rate or international prefix is never dialled by accident of a
 * broad pattern.
 */
export function refusalReason(number: string, r: NumberRules): string | undefined {
  if (!/^[0-9]{3,18}$/.test(number)) return 'not a phone number (3 to 18 digits expected)';
  const denied = r.deniedPrefixes.find((p) => number.startsWith(p));
  if (denied) return `numbers starting with ${denied} (premium-rate or international) are not called back`;
  if (!r.allowedNumbers.some((re) => re.test(number))) return 'the number is outside the allowed numbering plan';
  return undefined;
}

/** Checks a requested calling window; returns the moment the first attempt is due. */
export function firstDue(now: Date, notBefore: Date | null, notAfter: Date | null): { due: Date } | { error: string } {
  const due = notBefore && notBefore > now ? notBefore : now;
  if (notAfter && notAfter <= due) return { error: 'notAfter must be later than notBefore and than now' };
  return { due };
}

/** When the next attempt is due after a failed one, or null when the callback is done for. */
export function nextAttemptAt(
  c: { attempts: number; max_attempts: number; not_after: Date | null },
  now: Date,
  retrySec: number,
): Date | null {
  if (c.attempts >= c.max_attempts) return null;
  const at = new Date(now.getTime() + retrySec * 1000);
  if (c.not_after && at >= c.not_after) return null;
  return at;
}
