-- Several Asterisk nodes (docs/scaling.md): every call, recording and operator belongs to one
-- node, and the service instance driving a node (PBX_NODE) only reclaims, sweeps, archives and
-- rings what is its own. Single-node setups keep the default name.
ALTER TABLE calls ADD COLUMN pbx_node text NOT NULL DEFAULT 'pbx1';
ALTER TABLE recordings ADD COLUMN pbx_node text NOT NULL DEFAULT 'pbx1';
-- A phone registers to one node: its operator is homed there.
ALTER TABLE operators ADD COLUMN pbx_node text NOT NULL DEFAULT 'pbx1'
  CHECK (pbx_node ~ '^[a-z0-9][a-z0-9-]{0,31}$');

-- Reclaim reads the live calls of one node at every connect.
CREATE INDEX calls_live_by_node ON calls (pbx_node) WHERE ended_at IS NULL;
CREATE INDEX operators_available_by_node ON operators (pbx_node, line) WHERE state = 'available';
