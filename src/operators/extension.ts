// Operators' short extensions (issue 19, internal calls): the rules in one place, for the API's
// validation, the service's automatic assignment and the dialplan's patterns (extensions.conf
// [operators] matches exactly these shapes: _[1-9]XX and _[1-9]XXX).

/** 3 or 4 digits, not starting with 0 (a common "outside line" prefix on desk phones). */
export const EXTENSION_PATTERN = '^[1-9][0-9]{2,3}$';
const SHAPE = new RegExp(EXTENSION_PATTERN);

/**
 * Emergency and service numbers a desk phone user might dial out of habit: never an operator's,
 * so dialling them reaches nobody instead of a colleague (there is no way out to the trunk).
 */
export const RESERVED_EXTENSIONS: ReadonlySet<string> = new Set(['100', '101', '102', '103', '104', '112', '911', '999']);

/** The lowest number automatic assignment hands out (migration 0023's sequence starts here too). */
export const FIRST_AUTO_EXTENSION = 1000;
export const LAST_EXTENSION = 9999;

/** Why an extension cannot be an operator's, or null when it can. */
export function extensionProblem(ext: string): 'format' | 'reserved' | null {
  if (!SHAPE.test(ext)) return 'format';
  if (RESERVED_EXTENSIONS.has(ext)) return 'reserved';
  return null;
}

/** The lowest free automatic extension (1000–9999) given the ones in use, or null when all are taken. */
export function lowestFreeExtension(taken: Iterable<string | null>): string | null {
  const used = new Set(taken);
  for (let n = FIRST_AUTO_EXTENSION; n <= LAST_EXTENSION; n++) if (!used.has(String(n))) return String(n);
  return null;
}

/** What an endpoint push needs for internal calls besides the SIP credentials (endpoint-push.ts). */
export interface EndpointIdentity {
  /** The operator's extension: written to astdb for the dialplan, and the number colleagues see. */
  extension?: string | null;
  /** The operator's name, as colleagues' phones show it. */
  displayName?: string;
}

/** A name fit for a SIP caller ID (`"name" <number>`): no quotes, angle brackets, backslashes or control characters. */
export function callerIdName(name: string): string {
  return name.replace(/["<>\\\p{Cc}]/gu, '').trim().slice(0, 60);
}
