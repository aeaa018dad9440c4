import { describe, expect, it } from 'vitest';
import { canMove, DEFAULT_SLA, defaultPriority, parseSlaTargets, slaDue, slaState } from '../../src/tickets/ticket-rules.js';

describe('ticket status changes', () => {
  it('allows the working moves and refuses closing twice or reopening a closed ticket', () => {
    expect(canMove('new', 'open')).toBe(true);
    expect(canMove('open', 'pending_customer')).toBe(true);
    expect(canMove('pending_customer', 'open')).toBe(true);
    expect(canMove('resolved', 'open')).toBe(true);
    expect(canMove('closed', 'closed')).toBe(false);
    expect(canMove('closed', 'open')).toBe(false);
    expect(canMove('open', 'new')).toBe(false);
  });
  it('starts security-related categories at high priority', () => {
    expect(defaultPriority('security')).toBe('high');
    expect(defaultPriority('fraud')).toBe('high');
    expect(defaultPriority('billing')).toBe('normal');
    expect(defaultPriority(null)).toBe('normal');
  });
});

describe('SLA targets', () => {
  it('parses the setting, keeping defaults for priorities left out', () => {
    const t = parseSlaTargets('critical=30m/8h, high=2h/1d');
    expect(t.critical).toEqual({ firstResponseSec: 1800, resolutionSec: 28_800 });
    expect(t.high).toEqual({ firstResponseSec: 7200, resolutionSec: 86_400 });
    expect(t.normal).toEqual(DEFAULT_SLA.normal);
    expect(() => parseSlaTargets('urgent=1h/1d')).toThrow(/priority=/);
  });

  it('has the issue’s defaults: critical 1 h / 1 day, high 4 h / 2 days, normal 1 day / 5 days', () => {
    const created = new Date('2026-11-23T09:00:00Z');
    expect(slaDue(created, 'critical', DEFAULT_SLA)).toEqual({ firstDue: new Date('2026-11-23T10:00:00Z'), resolveDue: new Date('2026-11-24T09:00:00Z') });
    expect(slaDue(created, 'high', DEFAULT_SLA).firstDue).toEqual(new Date('2026-11-23T13:00:00Z'));
    expect(slaDue(created, 'normal', DEFAULT_SLA).resolveDue).toEqual(new Date('2026-11-28T09:00:00Z'));
  });

  it('is nearing at 80% of a target, breached past it, and a met target stops counting (fake clock)', () => {
    const createdAt = new Date('2026-11-23T09:00:00Z');
    const { firstDue, resolveDue } = slaDue(createdAt, 'critical', DEFAULT_SLA);
    const t = { createdAt, firstDue, resolveDue, firstResponseAt: null as Date | null, resolvedAt: null, status: 'new' as const };
    expect(slaState(t, new Date('2026-11-23T09:47:00Z')).state).toBe('ok');
    expect(slaState(t, new Date('2026-11-23T09:48:00Z'))).toMatchObject({ state: 'nearing', target: 'first_response' });
    expect(slaState(t, new Date('2026-11-23T10:00:00Z'))).toMatchObject({ state: 'breached', target: 'first_response' });
    const answered = { ...t, firstResponseAt: new Date('2026-11-23T09:30:00Z') };
    expect(slaState(answered, new Date('2026-11-23T12:00:00Z')).state).toBe('ok');
    expect(slaState(answered, new Date('2026-11-24T06:00:00Z'))).toMatchObject({ state: 'nearing', target: 'resolution' });
    expect(slaState(answered, new Date('2026-11-24T09:00:00Z'))).toMatchObject({ state: 'breached', target: 'resolution' });
    expect(slaState({ ...answered, status: 'resolved' }, new Date('2026-11-25T00:00:00Z')).state).toBe('ok');
  });
});
