// The running IVR flow and its file. A replacement is validated in full first: a bad one is
// refused with every error's path, and the running flow and the file stay as they were.
import { rename, writeFile } from 'node:fs/promises';
import type { LineCatalog } from '../lines/line-catalog.js';
import { loadFlowFile, parseFlow, type IvrFlow } from './ivr-flow.js';

export class IvrFlowStore {
  private constructor(private readonly file: string, private flow: IvrFlow, private readonly lines: LineCatalog) {}

  /** `lines`: the running catalog, so a flow is always checked against the lines as they are now. */
  static async open(file: string, lines: LineCatalog): Promise<IvrFlowStore> {
    return new IvrFlowStore(file, await loadFlowFile(file, lines), lines);
  }

  current(): IvrFlow {
    return this.flow;
  }

  async replace(doc: unknown): Promise<IvrFlow> {
    const flow = parseFlow(doc, this.lines);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    await rename(tmp, this.file);
    this.flow = flow;
    return flow;
  }
}
