import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam, Line } from '../http/schemas.js';
import type { OperatorService } from './operator.service.js';
import type { OperatorRow } from './operator.table.js';
import { EXTENSION_PATTERN } from './extension.js';
import { SkillsSchema } from '../queues/skills.js';

const Extension = Type.String({ pattern: EXTENSION_PATTERN, description: 'the short number colleagues dial (3–4 digits, not starting with 0; emergency numbers are refused)' });

const ServedLines = Type.Array(Line, { maxItems: 32, description: 'lines served besides the home line (each a configured line)' });

const OperatorDto = Type.Object({
  id: Type.String(),
  login: Type.String(),
  name: Type.String(),
  line: Type.String({ description: 'the home line: always served, what the panel shows by default' }),
  lines: Type.Array(Type.String(), { description: 'every line the operator serves (the ACD offers them its callers; they see its tickets), the home line first' }),
  skills: { ...SkillsSchema, description: 'skill → level 1–5 (skills routing: the ACD offers callers who need them to those who have them); {} none. Set with PUT /api/operators/:id/skills' },
  state: Type.String(),
  softphone: Type.String(),
  supervisor: Type.Boolean(),
  pbxNode: Type.String({ description: 'the Asterisk node the phone registers to' }),
  stateReason: Type.Union([Type.String(), Type.Null()]),
  extension: Type.Union([Type.String(), Type.Null()], { description: 'internal calls: the short number colleagues dial; null: none' }),
  sip: Type.Object({ username: Type.String(), domain: Type.String(), wsUrl: Type.String() }),
});

export const operatorRoutes =
  (ops: OperatorService, sip: { domain: string; wsUrl: string }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const dto = (o: OperatorRow) => ({
      id: o.id,
      login: o.login,
      name: o.name,
      line: o.line,
      lines: o.lines,
      skills: o.skills,
      state: o.state,
      softphone: o.softphone,
      supervisor: o.supervisor,
      pbxNode: o.pbx_node,
      stateReason: o.state_reason,
      extension: o.extension,
      sip: { username: o.sip_username, domain: sip.domain, wsUrl: sip.wsUrl },
    });

    app.post(
      '/operators',
      {
        preHandler: requireRole('admin'),
        schema: {
          body: Type.Object(
            {
              login: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{1,31}$' }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
              line: Line,
              lines: Type.Optional(ServedLines),
              sipPassword: Type.String({ minLength: 12, maxLength: 128 }),
              softphone: Type.Optional(Type.Union([Type.Literal('sip'), Type.Literal('webrtc')], { description: "'webrtc': the browser panel is the phone" })),
              supervisor: Type.Optional(Type.Boolean({ description: 'may watch lines, monitor calls and audit recordings from the panel' })),
              pbxNode: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: "the Asterisk node the phone registers to (docs/scaling.md); default: this instance's PBX_NODE" })),
              extension: Type.Optional({ ...Extension, description: 'default: the next free one from 1000' }),
            },
            { additionalProperties: false, examples: [{ login: 'anna', name: 'Анна Петрова', line: 'second', sipPassword: 'a-long-sip-secret' }] },
          ),
          response: { 201: OperatorDto, 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => reply.status(201).send(dto(await ops.create(req.body))),
    );

    app.put(
      '/operators/:id/extension',
      {
        preHandler: requireRole('admin'),
        schema: {
          summary: "Give an operator another extension for internal calls (null: none); Asterisk's mapping follows at once",
          params: IdParam,
          body: Type.Object({ extension: Type.Union([Extension, Type.Null()]) }, { additionalProperties: false, examples: [{ extension: '2041' }] }),
          response: { 200: OperatorDto, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => dto(await ops.setExtension(req.params.id, req.body.extension)),
    );

    app.put(
      '/operators/:id/lines',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: {
          summary: 'Set the lines an operator serves (the home line is always served); the ACD and their ticket lists follow at once',
          params: IdParam,
          body: Type.Object({ lines: ServedLines }, { additionalProperties: false, examples: [{ lines: [] }, { lines: ['second'] }] }),
          response: { 200: OperatorDto, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => dto(await ops.setLines(req.params.id, req.body.lines)),
    );

    app.get(
      '/operators',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: { response: { 200: Type.Object({ operators: Type.Array(OperatorDto) }) } },
      },
      async () => ({ operators: (await ops.list()).map(dto) }),
    );

    app.put(
      '/operators/:id/state',
      {
        preHandler: requireRole('admin', 'supervisor', 'operator'),
        schema: {
          params: IdParam,
          body: Type.Object(
            {
              state: Type.Union([Type.Literal('available'), Type.Literal('paused'), Type.Literal('offline')]),
              reason: Type.Optional(
                Type.Union([Type.Literal('break'), Type.Literal('training'), Type.Literal('other')], { description: 'why, when pausing ("missed" is set by the ACD)' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: OperatorDto, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => dto(await ops.setState(req.params.id, req.body.state, req.body.reason ?? null, principalOf(req))),
    );

    app.get(
      '/operators/:id/states',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: {
          params: IdParam,
          response: {
            200: Type.Object({
              history: Type.Array(Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), at: Type.String() })),
            }),
            404: ErrorBody,
          },
        },
      },
      async (req) => ({
        history: (await ops.history(req.params.id)).map((h) => ({ from: h.from_state, to: h.to_state, reason: h.reason, at: h.at.toISOString() })),
      }),
    );
  };
