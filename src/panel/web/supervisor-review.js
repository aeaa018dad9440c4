// Recordings page, part two: "calls that need a look". The saved review filters of the
// supervisor's line (an admin's: every line), each with how many calls it finds in the range and
// how many of them have been evaluated; a filter opened lists its calls, paged, and a call with a
// recording opens in the player above with its scorecard (#recording=<id>, as the search's rows
// do). New filters are saved here by name; a sample's seed is the server's, shown for the audit.
// Mounted by supervisor.html on its own.
import { t } from './i18n.js';
import { api, currentSession, $, h, when, duration, toast } from './common.js';
import { lineName, lineOptions, loadLines } from './line-names.js';

const PAGE = 50;
/** Each kind's one number parameter: name, bounds and default. */
const KINDS = {
  'long-hold': { param: 'minHoldSec', min: 1, max: 86400, value: 120 },
  transfers: { param: 'minTransfers', min: 2, max: 20, value: 2 },
  'low-survey': { param: 'maxScore', min: 1, max: 5, value: 2 },
  'failed-verification': null,
  'failed-callback': null,
  'first-calls': { param: 'count', min: 1, max: 1000, value: 5 },
  'long-call': { param: 'minMinutes', min: 1, max: 1440, value: 15 },
  sample: { param: 'perWeek', min: 1, max: 100, value: 3 },
};
const rv = { me: null, filters: [], open: null, offset: 0, result: null };
const err = (e) => toast(`${t('err.generic')}: ${e.message}`);
const label = (key, input) => h('label', {}, h('span', {}, t(key)), input);
const day = (d) => d.toISOString().slice(0, 10);

function range() {
  const f = $('#rv-range');
  const from = new Date(`${f.from.value}T00:00:00`);
  const to = new Date(`${f.to.value}T00:00:00`);
  to.setDate(to.getDate() + 1); // the "to" day is included
  return `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
}

const describeFilter = (f) => {
  const k = KINDS[f.kind];
  const value = k ? f.params[k.param] : undefined;
  return t(`rv.kind.${f.kind}`) + (k ? ` · ${t(`rv.desc.${k.param}`, { n: value })}` : '') + (f.kind === 'sample' ? ` · ${t('rv.seed')} ${f.params.seed}` : '');
};

async function start() {
  // supervisor.js signs in; start once its tabs show (a signed-in supervisor).
  await new Promise((resolve) => {
    const tabs = $('#tabs');
    if (!tabs.hidden) return resolve();
    new MutationObserver((_, o) => !tabs.hidden && (o.disconnect(), resolve())).observe(tabs, { attributes: true });
  });
  rv.me = (await currentSession())?.operator ?? null;
  await loadLines();
  document.head.append(h('link', { rel: 'stylesheet', href: '/panel/assets/supervisor-review.css' }));
  mount();
  document.addEventListener('languagechange', () => {
    mount(true);
    renderFilters();
    renderCalls();
  });
  window.addEventListener('hashchange', () => location.hash === '#recordings' && load().catch(err));
  await load();
}

function mount(again = false) {
  const section = $('#recordings');
  const old = $('#review');
  if (old && !again) return;
  const week = new Date();
  week.setDate(week.getDate() - 6);
  const prev = old ? { from: old.querySelector('#rv-range').from.value, to: old.querySelector('#rv-range').to.value } : { from: day(week), to: day(new Date()) };
  const rangeForm = h('form.filters', { id: 'rv-range' },
    label('rec.from', h('input', { type: 'date', name: 'from', value: prev.from, required: true })),
    label('rec.to', h('input', { type: 'date', name: 'to', value: prev.to, required: true })),
    h('button.btn.primary', { type: 'submit' }, t('rv.show')));
  rangeForm.addEventListener('submit', (e) => (e.preventDefault(), load().catch(err)));
  const kind = h('select', { name: 'kind' }, ...Object.keys(KINDS).map((k) => h('option', { value: k }, t(`rv.kind.${k}`))));
  const value = h('input', { type: 'number', name: 'value', size: 5 });
  const newForm = h('form.filters', { id: 'rv-new' },
    label('rv.name', h('input', { name: 'name', required: true, maxlength: 100, size: 18 })),
    label('rec.line', h('select', { name: 'line' }, ...lineOptions())),
    label('rv.kind', kind),
    h('label', { id: 'rv-param' }, h('span'), value),
    h('button.btn', { type: 'submit' }, t('rv.save')));
  newForm.line.value = rv.me?.line ?? newForm.line.options[0]?.value ?? '';
  const param = () => {
    const k = KINDS[kind.value];
    $('#rv-param', newForm).hidden = !k;
    if (!k) return;
    $('#rv-param span', newForm).textContent = t(`rv.param.${k.param}`);
    Object.assign(value, { min: k.min, max: k.max, value: k.value });
  };
  kind.addEventListener('change', param);
  param();
  newForm.addEventListener('submit', (e) => (e.preventDefault(), create(newForm).catch(err)));
  const card = h('div.card.review', { id: 'review' },
    h('h2', {}, t('rv.title')), rangeForm,
    h('table.rv-filters', {}, h('tbody', { id: 'rv-filters' })),
    h('details', {}, h('summary', {}, t('rv.new')), newForm),
    h('div', { id: 'rv-calls' }));
  if (old) old.replaceWith(card);
  else section.insertBefore(card, $('#rec-search').nextSibling);
}

async function create(form) {
  const k = KINDS[form.kind.value];
  const params = k ? { [k.param]: Number(form.value.value) } : {};
  const f = await api('POST', '/api/qa/review-filters', { name: form.name.value, line: form.line.value, kind: form.kind.value, params });
  form.name.value = '';
  toast(t('rv.saved', { name: f.name }));
  rv.open = f.id;
  rv.offset = 0;
  await load();
}

async function load() {
  const r = await api('GET', `/api/qa/review-filters?${range()}`);
  rv.filters = r.filters;
  renderFilters();
  if (rv.open && rv.filters.some((f) => f.id === rv.open)) await openFilter(rv.open, rv.offset);
  else {
    rv.open = null;
    rv.result = null;
    renderCalls();
  }
}

function renderFilters() {
  const body = $('#rv-filters');
  if (!body) return;
  body.replaceChildren(
    ...(rv.filters.length
      ? rv.filters.map((f) =>
          h(`tr${f.id === rv.open ? '.open' : ''}`, { dataset: { filter: f.id } },
            h('td', {}, h('b', {}, f.name)),
            h('td', {}, lineName(f.line)),
            h('td.muted', {}, describeFilter(f)),
            h('td.rv-totals', {}, f.totals ? t('rv.totals', { calls: f.totals.calls, evaluated: f.totals.evaluated }) : ''),
            h('td', {},
              h('button.btn.small', { onclick: () => ((rv.offset = 0), openFilter(f.id, 0).catch(err)) }, t('rv.open')),
              h('button.btn.small.ghost', { onclick: () => remove(f).catch(err) }, t('rv.delete')))))
      : [h('tr', {}, h('td.muted', {}, t('rv.none')))]),
  );
}

async function remove(f) {
  if (!confirm(t('rv.confirmDelete', { name: f.name }))) return;
  await api('DELETE', `/api/qa/review-filters/${f.id}`);
  if (rv.open === f.id) rv.open = null;
  await load();
}

async function openFilter(id, offset) {
  rv.open = id;
  rv.offset = offset;
  rv.result = await api('GET', `/api/qa/review-filters/${id}/calls?${range()}&limit=${PAGE}&offset=${offset}`);
  renderFilters();
  renderCalls();
}

/** What made the call match, in the filter's own terms. */
function why(kind, c) {
  if (kind === 'long-hold') return t('rv.hold', { d: duration(c.longestHoldSec) });
  if (kind === 'transfers') return t('rv.transfers', { n: c.transfers });
  if (kind === 'low-survey') return t('rv.survey', { n: c.surveyScore ?? '—' });
  if (kind === 'failed-verification') return t('rv.verification', { status: c.verification });
  if (kind === 'long-call') return t('rv.talk', { d: duration(c.talkSec) });
  return c.status;
}

function renderCalls() {
  const box = $('#rv-calls');
  if (!box) return;
  const r = rv.result;
  if (!r) return box.replaceChildren();
  const rows = r.calls.map((c) =>
    h(`tr${c.evaluated ? '.evaluated' : ''}`, { dataset: { call: c.callId } },
      h('td', {}, when(c.enteredAt)),
      h('td', {}, c.callerNumber ?? '—'),
      h('td', {}, c.operatorName ?? '—'),
      h('td', {}, duration(c.talkSec)),
      h('td', {}, why(r.filter.kind, c)),
      h('td', {}, c.evaluated ? h('span.pill.rv-done', {}, t('rv.evaluated')) : h('span.muted', {}, t('rv.notEvaluated'))),
      h('td', {}, c.recordingId
        ? h('button.btn.small.play', { onclick: () => (location.hash = `recording=${c.recordingId}`) }, t('rv.listen'))
        : h('span.muted', {}, t('rv.noRecording')))));
  const pages = h('div.row.filters', {},
    h('span', {}, t('rv.totals', { calls: r.totals.calls, evaluated: r.totals.evaluated })),
    rv.offset > 0 ? h('button.btn.small', { onclick: () => openFilter(rv.open, Math.max(0, rv.offset - PAGE)).catch(err) }, '←') : null,
    rv.offset + PAGE < r.totals.calls ? h('button.btn.small', { onclick: () => openFilter(rv.open, rv.offset + PAGE).catch(err) }, '→') : null);
  box.replaceChildren(
    h('h3', {}, r.filter.name, ' ', h('span.muted', {}, describeFilter(r.filter))),
    pages,
    h('table', {},
      h('thead', {}, h('tr', {}, ...['rec.at', 'rec.caller', 'rec.operator', 'rec.duration', 'rv.why', 'rv.qa', ''].map((k) => h('th', {}, k ? t(k) : '')))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td.muted', { colspan: 7 }, t('rv.noCalls')))]))));
}

if (document.body.classList.contains('supervisor')) start().catch(err);
