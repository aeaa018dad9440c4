// The transfer menu's lines: a cold transfer may go to any configured line but the call's own
// (lines are configuration, issue 21: GET /api/lines), the escalation target first and marked
// as such. Named from the configuration in the reader's language (line-names.js).
import { h } from './common.js';
import { t } from './i18n.js';
import { configuredLines, lineName } from './line-names.js';

/**
 * Fills `box` with a button per line the call can be sent to. `callLine` is the call's line now
 * (null: none known, every line offered); `transfer(line)` asks the API.
 */
export function renderTransferLines(box, callLine, transfer) {
  const lines = configuredLines();
  const up = lines.find((l) => l.id === callLine)?.escalatesTo ?? null;
  const targets = lines.filter((l) => l.id !== callLine).sort((a, b) => Number(b.id === up) - Number(a.id === up));
  box.replaceChildren(
    ...targets.map((l) =>
      h('button.btn', { dataset: { line: l.id }, onclick: () => transfer(l.id) }, l.id === up ? t('call.escalateTo', { line: lineName(l.id) }) : t('call.toLine', { line: lineName(l.id) })),
    ),
  );
}
