// Which numbers may be called back: the toll-fraud guard, and the one place a customer's number
// is read. A number is parsed as E.164 by libphonenumber-js (its metadata knows which ranges are
// Kazakh, premium rate or satellite; regexes did not): a leading "+" (or an international
// prefix such as 810) means international, anything else is read in the default region. It may
// be called back only when it is valid, of an allowed country and number type, and starts with
// no denied prefix. What is stored, counted against the per-number limits and dialled is the
// E.164 form, "+" included, so "+88121234567" can never become the national 8-812-… number.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';

/** libphonenumber's number types, as settings spell them. */
export const NUMBER_TYPES = {
  'fixed-line': 'FIXED_LINE',
  mobile: 'MOBILE',
  'fixed-line-or-mobile': 'FIXED_LINE_OR_MOBILE',
  'toll-free': 'TOLL_FREE',
  'premium-rate': 'PREMIUM_RATE',
  'shared-cost': 'SHARED_COST',
  voip: 'VOIP',
  'personal-number': 'PERSONAL_NUMBER',
  pager: 'PAGER',
  uan: 'UAN',
  voicemail: 'VOICEMAIL',
} as const satisfies Record<string, NonNullable<NumberType>>;
export type PhoneNumberType = keyof typeof NUMBER_TYPES;

export interface NumberRules {
  /** Where national forms (8 912 …, 912 …) are read. */
  defaultRegion: string;
  /** ISO 3166 codes; non-geographic numbers (satellite +881, +882 networks, +800) belong to none. */
  allowedCountries: readonly string[];
  allowedTypes: readonly PhoneNumberType[];
  /** E.164 prefixes ("+77") refused whatever the country and type say. */
  deniedPrefixes: readonly string[];
}

export type NumberVerdict = { ok: true; e164: string; country: string; type: PhoneNumberType } | { ok: false; reason: string };

// Digits and the usual separators only: no letters (vanity numbers, "ext", "x") and no ";ext=".
const SHAPE = /^\+?[0-9][0-9 ().-]*$/;
const TYPE_NAMES = new Map<string, PhoneNumberType>(Object.entries(NUMBER_TYPES).map(([k, v]) => [v, k as PhoneNumberType]));

/** The verdict on a number as a customer or a caller ID gives it. */
export function checkNumber(raw: string, r: NumberRules): NumberVerdict {
  const s = raw.trim();
  const digits = s.replace(/\D/g, '');
  if (!SHAPE.test(s) || digits.length < 3 || digits.length > 18) {
    return { ok: false, reason: 'not a phone number: 3 to 18 digits, with an optional leading + and spaces, brackets, dots or dashes' };
  }
  const p = parsePhoneNumberFromString(s, { defaultCountry: r.defaultRegion as CountryCode, extract: false });
  if (!p || !p.isValid()) return { ok: false, reason: `${s} is not a valid phone number (read as ${p?.number ?? 'nothing'}; a leading + means international, otherwise it is read as a ${r.defaultRegion} number)` };
  const e164 = p.number;
  const type = TYPE_NAMES.get(p.getType() ?? '');
  const denied = r.deniedPrefixes.find((d) => e164.startsWith(d));
  if (denied) return { ok: false, reason: `${e164} (${[type ?? 'unknown type', p.country].filter(Boolean).join(', ')}) starts with ${denied}, a prefix that is never called back` };
  if (!p.country) return { ok: false, reason: `${e164} belongs to no country (a satellite or international network): not called back` };
  if (!r.allowedCountries.includes(p.country)) {
    return { ok: false, reason: `${e164} is a number in ${p.country}; only numbers in ${r.allowedCountries.join(', ')} are called back` };
  }
  if (!type || !r.allowedTypes.includes(type)) {
    return { ok: false, reason: `${e164} is a ${type ?? 'number of unknown type'}; only ${r.allowedTypes.join(', ')} numbers are called back` };
  }
  return { ok: true, e164, country: p.country, type };
}

/** For config.ts: a known ISO 3166 region with numbering metadata. */
export function isRegion(code: string): boolean {
  return isSupportedCountry(code);
}

export function isNumberType(t: string): t is PhoneNumberType {
  return Object.hasOwn(NUMBER_TYPES, t);
}

/**
 * A number in E.164 ("+79991234567") read as checkNumber reads it, without judging whether it
 * may be called back; undefined when it is no valid number. For comparing numbers that come in
 * other spellings (caller IDs from the PBX are digits without "+").
 */
export function toE164(raw: string, defaultRegion: string): string | undefined {
  if (!SHAPE.test(raw.trim())) return undefined;
  const p = parsePhoneNumberFromString(raw.trim(), { defaultCountry: defaultRegion as CountryCode, extract: false });
  return p?.isValid() ? p.number : undefined;
}
