// Zammad's generic CTI payloads (docs.zammad.org, api/generic-cti): the field names and values
// Zammad's caller log reads.
import { describe, expect, it } from 'vitest';
import { zammadPayload } from '../../src/connectors/zammad-cti.connector.js';

const call = { callId: 'c0ffee00-0000-4000-8000-000000000001', callerNumber: '79161234567', dialledNumber: '88005553535', line: 'first', operator: { id: '7', login: 'ivanova', name: 'Анна Иванова' } };

describe('Zammad generic CTI payloads', () => {
  it('newCall, answer and hangup with Zammad’s field names', () => {
    expect(zammadPayload('call.started', { ...call, operator: null, line: null })).toEqual({ event: 'newCall', from: '79161234567', to: '88005553535', direction: 'in', callId: call.callId });
    expect(zammadPayload('call.answered', call)).toEqual({ event: 'answer', from: '79161234567', to: '88005553535', direction: 'in', callId: call.callId, user: 'Анна Иванова', answeringNumber: 'ivanova' });
    expect(zammadPayload('call.ended', { ...call, status: 'completed' })).toMatchObject({ event: 'hangup', cause: 'normalClearing', answeringNumber: 'ivanova' });
  });
  it('maps how a call ended to Zammad’s hangup causes, and an unknown caller to anonymous', () => {
    expect(zammadPayload('call.ended', { ...call, status: 'abandoned', operator: null })).toMatchObject({ cause: 'cancel' });
    expect(zammadPayload('call.ended', { ...call, status: 'unanswered' })).toMatchObject({ cause: 'noAnswer' });
    expect(zammadPayload('call.ended', { ...call, status: 'failed' })).toMatchObject({ cause: 'congestion' });
    expect(zammadPayload('call.started', { ...call, callerNumber: null })).toMatchObject({ from: 'anonymous' });
  });
  it('gives a click-to-call as direction out, the customer called as `to`', () => {
    expect(zammadPayload('call.answered', { ...call, direction: 'outbound', callerNumber: '79160000001', dialledNumber: null })).toMatchObject({ event: 'answer', from: '', to: '79160000001', direction: 'out' });
  });
  it('skips events that mean nothing to Zammad', () => {
    expect(zammadPayload('ticket.created', {})).toBeNull();
  });
});
