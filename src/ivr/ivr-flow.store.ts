// The running IVR flow and its file. A replacement is validated in full first: a bad one is
// refused with every error's path, and the running flow and the file stay as they were.
// Validation against the lines and the swap happen together, with no wait between them, so a
// lines change (line-config.store.ts, which checks the running flow) can never slip in between.
import { AtomicJsonFile } from '../lines/atomic-json-file.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { loadFlowFile, parseFlow, type IvrFlow } from './ivr-flow.js';

export class IvrFlowStore {
  private constructor(private readonly file: AtomicJsonFile, private flow: IvrFlow, private readonly lines: LineCatalog) {}

  /** `lines`: the running catalog, so a flow is always checked against the lines as they are now. */
  static async open(file: string, lines: LineCatalog): Promise<IvrFlowStore> {
    return new IvrFlowStore(new AtomicJsonFile(file), await loadFlowFile(file, lines), lines);
  }

  current(): IvrFlow {
    return this.flow;
  }

  async replace(doc: unknown): Promise<IvrFlow> {
    const flow = parseFlow(doc, this.lines);
    const before = this.flow;
    this.flow = flow;
    try {
      await this.file.write(doc);
    } catch (err) {
      // Not saved: the flow that was running runs on, unless another replacement came since.
      if (this.flow === flow) this.flow = before;
      throw err;
    }
    return flow;
  }
}
