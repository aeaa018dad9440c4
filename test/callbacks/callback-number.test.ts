// The toll-fraud guard's verdicts, under the default settings (config.ts), as a table.
import { describe, expect, it } from 'vitest';
import { checkNumber, toE164, type NumberRules } from '../../src/callbacks/callback-number.js';
import { loadConfig } from '../../src/config.js';

const required = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PBXDESK_SECRET_KEY: 'k'.repeat(32),
  ARI_URL: 'http://127.0.0.1:8088',
  PBX_ARI_USER: 'u',
  PBX_ARI_PASSWORD: 'p',
  PBX_AMI_USER: 'u',
  PBX_AMI_SECRET: 's',
  RECORDINGS_SPOOL_DIR: '/tmp',
};
const rules: NumberRules = loadConfig(required).callbacks;

// [as given, verdict: the E.164 number called back, or a word of the refusal]
const TABLE: [string, string][] = [
  // Russian fixed and mobile, in every usual form: one E.164 number each.
  ['+7 (999) 123-45-67', '+79991234567'],
  ['8 999 123 45 67', '+79991234567'],
  ['79991234567', '+79991234567'],
  ['9991234567', '+79991234567'],
  ['+7.999.123.45.67', '+79991234567'],
  ['8 (812) 123-45-67', '+78121234567'],
  ['+7 495 123-45-67', '+74951234567'],
  ['84951234567', '+74951234567'],
  // "+" means international: +8812… is not the national 8-812 number but a satellite one.
  ['+88121234567', 'not a valid'],
  ['+8 812 123 45 67', 'not a valid'],
  // Other countries, by "+" or by the international prefix 810.
  ['+44 20 7946 0958', 'in GB'],
  ['810 44 20 7946 0958', 'in GB'],
  ['+81 3 1234 5678', 'in JP'],
  ['+86 138 1234 5678', 'in CN'],
  ['00442079460958', 'not a valid'],
  // Kazakhstan shares +7: never passes as Russia, in any form.
  ['+7 701 123 45 67', '+77'],
  ['77011234567', '+77'],
  ['8 701 123 45 67', '+77'],
  ['+7 727 123 45 67', '+77'],
  ['+7 612 345 67 89', 'not a valid'],
  // Abkhazia's +7 840 / +7 940.
  ['+7 840 212 34 56', '+7840'],
  ['8 940 123 45 67', '+7940'],
  // Paid services 8-803, 8-809: denied, and premium rate besides.
  ['8 803 123 45 67', '+7803'],
  ['+7 809 123 45 67', '+7809'],
  // Toll-free 8-800 is not a customer's phone.
  ['8 800 555 35 35', 'toll-free'],
  // Satellite and international networks.
  ['+881 6 1234 5678', '+881'],
  ['+882 16 123456', '+882'],
  ['+883 123 456 789', '+883'],
  ['+870 123 456 789', 'not a valid'],
  // Letters, extensions and lengths.
  ['abc', 'not a phone number'],
  ['8 800 FLOWERS', 'not a phone number'],
  ['+7 999 123-45-67 ext. 5', 'not a phone number'],
  ['+79991234567;ext=1', 'not a phone number'],
  ['12', 'not a phone number'],
  ['1234567', 'not a valid'],
  ['8999123456', 'not a valid'],
  ['899912345678', 'not a valid'],
  ['+7999123456789012', 'not a valid'],
  ['1'.repeat(19), 'not a phone number'],
  ['', 'not a phone number'],
  ['+', 'not a phone number'],
  ['++79991234567', 'not a phone number'],
];

describe('callback numbers: default rules (RU, fixed line and mobile)', () => {
  it.each(TABLE)('%s → %s', (raw, expected) => {
    const v = checkNumber(raw, rules);
    if (expected.startsWith('+') && /^\+[0-9]{11,}$/.test(expected)) {
      expect(v).toMatchObject({ ok: true, e164: expected });
    } else {
      expect(v.ok).toBe(false);
      expect(v.ok ? '' : v.reason).toContain(expected);
    }
  });

  it('a country and type allowed by settings pass; the deny list still wins', () => {
    const wider = { ...rules, allowedCountries: ['RU', 'KZ', 'GB'], deniedPrefixes: ['+77'] };
    expect(checkNumber('+44 20 7946 0958', wider)).toMatchObject({ ok: true, e164: '+442079460958', country: 'GB', type: 'fixed-line' });
    expect(checkNumber('+7 701 123 45 67', wider)).toMatchObject({ ok: false });
    expect(checkNumber('+7 701 123 45 67', { ...wider, deniedPrefixes: [] })).toMatchObject({ ok: true, country: 'KZ', type: 'mobile' });
    expect(checkNumber('8 800 555 35 35', { ...rules, allowedTypes: [...rules.allowedTypes, 'toll-free'] })).toMatchObject({ ok: true, e164: '+78005553535' });
  });

  it('national forms are read in the configured region', () => {
    expect(checkNumber('020 7946 0958', { ...rules, defaultRegion: 'GB', allowedCountries: ['GB'] })).toMatchObject({ ok: true, e164: '+442079460958' });
    expect(checkNumber('020 7946 0958', rules)).toMatchObject({ ok: false });
  });
});

describe('callback number settings', () => {
  it.each([
    ['CALLBACK_DEFAULT_REGION', 'XX', 'not an ISO 3166'],
    ['CALLBACK_ALLOWED_COUNTRIES', 'RU,Russia', '"Russia"'],
    ['CALLBACK_ALLOWED_TYPES', 'mobile,landline', '"landline"'],
    ['CALLBACK_DENIED_PREFIXES', '+77,8809', '"8809"'],
    ['CALLBACK_ALLOWED_NUMBERS', '^[78][0-9]{10}$', 'no longer read'],
  ])('%s=%s is refused at start', (name, value, message) => {
    expect(() => loadConfig({ ...required, [name]: value })).toThrow(message);
  });
});

describe('toE164', () => {
  it('one spelling for every form of a number, nothing for what is not one', () => {
    for (const raw of ['79991234567', '89991234567', '+7 999 123-45-67']) expect(toE164(raw, 'RU')).toBe('+79991234567');
    expect(toE164('+88121234567', 'RU')).toBeUndefined();
    expect(toE164('anonymous', 'RU')).toBeUndefined();
  });
});
