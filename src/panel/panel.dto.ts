import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';
import type { OperatorRow } from '../operators/operator.table.js';

export const PanelOperator = Type.Object({
  id: Type.String(),
  name: Type.String(),
  line: Type.String(),
  state: Type.String(),
  stateReason: Nullable(Type.String()),
  stateSince: Type.String(),
  wrapUpUntil: Nullable(Type.String()),
  /** The call still waiting for its wrap-up (note or disposition), if any. */
  wrapUpCallId: Nullable(Type.String()),
  supervisor: Type.Boolean(),
});
export const panelOperator = (o: OperatorRow) => ({
  id: o.id,
  name: o.name,
  line: o.line,
  state: o.state,
  stateReason: o.state_reason,
  stateSince: o.state_changed_at.toISOString(),
  wrapUpUntil: o.wrapup_until?.toISOString() ?? null,
  wrapUpCallId: o.wrapup_call_id,
  supervisor: o.supervisor,
});
