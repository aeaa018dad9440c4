import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import { VERB_NAMES } from './ivr-flow.js';
import type { IvrFlowStore } from './ivr-flow.store.js';

// The document's own shape is checked by parseFlow, verb by verb, so that every error carries
// its exact path; the route schema only says it is an object.
const FlowDoc = Type.Object(
  { start: Type.String(), nodes: Type.Record(Type.String(), Type.Array(Type.Object({ verb: Type.String() }, { additionalProperties: true }))) },
  { additionalProperties: true, description: `An IVR flow: named nodes, each a list of verbs (${VERB_NAMES.join(', ')}).` },
);

export const ivrRoutes =
  (store: IvrFlowStore): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/ivr/flow',
      { preHandler: requireRole('admin', 'supervisor'), schema: { response: { 200: FlowDoc } } },
      async () => store.current().source as never,
    );

    app.put(
      '/ivr/flow',
      {
        preHandler: requireRole('admin'),
        schema: {
          body: Type.Unknown({ description: 'the whole flow document' }),
          response: { 200: Type.Object({ start: Type.String(), nodes: Type.Integer() }), 422: ErrorBody },
        },
      },
      async (req) => {
        const flow = await store.replace(req.body);
        return { start: flow.start, nodes: flow.nodes.size };
      },
    );
  };
