// An operator of a line with a real SIP phone (SIPp) registered to their endpoint, made
// available: the common start of every call test.
import { expect } from 'vitest';
import { allocPorts, answerOnce, registerPhone, type SippResult } from '../harness/sipp-driver.js';
import { uniq, type TestApp } from './app.js';

export type Phone = (ports: { sip: number; media: number }) => Promise<SippResult>;
export const answers: Phone = (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media });

export async function operatorWithPhone(
  api: TestApp['api'],
  line: string,
  phone: Phone = answers,
  /** Several nodes: the operator's node, the Asterisk their phone registers to, and the instance that sets them available. */
  node?: { pbxNode: string; target: string; stateApi: TestApp['api'] },
): Promise<{ id: string; phone: Promise<SippResult> }> {
  const password = `${uniq('pw-')}${uniq()}`;
  const op = await api<{ id: string; sip: { username: string } }>('POST', '/api/operators', {
    login: uniq('op'), name: `Operator ${line}`, line, sipPassword: password, ...(node ? { pbxNode: node.pbxNode } : {}),
  });
  expect(op.status).toBe(201);
  const ports = allocPorts();
  const reg = await registerPhone({ username: op.body.sip.username, password, sipPort: ports.sip, target: node?.target });
  expect(reg.code, reg.stdout + reg.stderr).toBe(0);
  const running = phone(ports);
  expect((await (node?.stateApi ?? api)('PUT', `/api/operators/${op.body.id}/state`, { state: 'available' })).status).toBe(200);
  return { id: op.body.id, phone: running };
}
