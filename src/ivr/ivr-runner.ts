// Runs a flow verb by verb until a verb routes the call. A flow that runs out of verbs,
// or loops past the step limit, ends on the front line (LineCatalog.front): the IVR never drops a caller.
import type { Line } from '../vocabulary.js';
import type { IvrFlow } from './ivr-flow.js';
import type { IvrContext } from './ivr-context.js';

const MAX_STEPS = 100;

/** The line to queue the caller for, or 'hangup' when the flow ended the call itself. */
export async function runFlow(flow: IvrFlow, ctx: IvrContext, from = flow.start): Promise<Line | 'hangup'> {
  let node = from;
  let steps = 0;
  for (;;) {
    const verbs = flow.nodes.get(node) ?? [];
    let jumped = false;
    for (const verb of verbs) {
      if (++steps > MAX_STEPS) return flow.frontLine();
      const r = await verb.execute(ctx);
      if (r.kind === 'route') return flow.routeTo(r.line);
      if (r.kind === 'hangup') return 'hangup';
      if (r.kind === 'goto') {
        node = r.node;
        jumped = true;
        break;
      }
    }
    if (!jumped) return flow.frontLine();
  }
}
