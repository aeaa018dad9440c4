// The configured lines for the supervisor pages and the operator panel (GET /api/lines, which
// every signed-in role may read): the wallboard's columns, the reports' rows, the line pickers,
// the operator panel's line names and transfer menu. Lines are configuration (issue 21), so a
// line's name is the configuration's, in the reader's language, never a fixed pair of keys.
import { api, h } from './common.js';
import { language, t } from './i18n.js';

let lines = [];
let loading;

/** The configured lines, loaded once (again with `fresh`: the admin API may have changed them). */
export function loadLines(fresh = false) {
  if (!loading || fresh) loading = api('GET', '/api/lines').then((r) => (lines = r.lines), () => lines);
  return loading;
}

/** Names that came with a payload (the wallboard pushes each line's), kept for the other pages. */
export function rememberLines(list) {
  for (const l of list) {
    const id = l.id ?? l.line;
    if (!l.name || !id) continue;
    const known = lines.find((x) => x.id === id);
    if (known) known.name = l.name;
    else lines = [...lines, { id, name: l.name }];
  }
}

export function configuredLines() {
  return lines;
}

/** A line's name in the reader's language: the one given, the configuration's, else the id. */
export function lineName(id, name) {
  const n = name ?? lines.find((l) => l.id === id)?.name;
  if (n) return n[language()] ?? n.en ?? id;
  const key = `line.${id}`;
  return t(key) === key ? id : t(key);
}

/** <option>s of the configured lines, "any" first when asked. */
export function lineOptions(any = false) {
  return [...(any ? [h('option', { value: '' }, t('any'))] : []), ...lines.map((l) => h('option', { value: l.id }, lineName(l.id)))];
}

/** Refills a <select> with the configured lines, keeping its choice when it is still a line. */
export function fillLineSelect(select, any = false) {
  const value = select.value;
  select.replaceChildren(...lineOptions(any));
  if ([...select.options].some((o) => o.value === value)) select.value = value;
}
