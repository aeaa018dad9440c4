// Reports page, part two: the staffing plan (per line, a day's hours: forecast calls, operators
// Erlang C and Erlang A say are needed, operators who were signed in) drawn as plain SVG, and the
// ticket figures per operator and per line, loaded with the range reports. Mounts itself into
// the reports section; the server's numbers are shown as they are (CSV links alongside).
import { t, language } from './i18n.js';
import { api, $, h } from './common.js';
import { lineName } from './line-names.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = { needed: '#2f6fed', neededA: '#e08a1e', loggedIn: '#2e9d5b', forecast: '#8a5cf6', grid: '#e2e7ee', text: '#6b7685' };
const state = { plan: null, tickets: null };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const dayName = (d) => t(`staff.dow${d}`);

function mount() {
  const section = $('#reports');
  if (!section || $('#rep-staffing')) return;
  const label = (key, input) => h('label', {}, h('span', { 'data-i18n': key }, t(key)), input);
  const form = h('form.filters', { id: 'staff-form' },
    label('staff.weeks', h('input', { name: 'weeks', type: 'number', min: 1, max: 26, value: 4, size: 3 })),
    label('staff.until', h('input', { name: 'until', type: 'date' })),
    label('staff.weekday', h('select', { name: 'weekday' }, ...[1, 2, 3, 4, 5, 6, 7].map((d) => h('option', { value: d, 'data-i18n': `staff.dow${d}` }, dayName(d))))),
    h('button.btn.primary', { type: 'submit', 'data-i18n': 'staff.show' }, t('staff.show')),
    h('a.btn', { id: 'csv-staffing' }, 'CSV · ', h('span', { 'data-i18n': 'staff.title' }, t('staff.title'))),
  );
  form.weekday.value = String(((new Date().getDay() + 6) % 7) + 1);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    loadPlan().catch(() => undefined);
  });
  form.weekday.addEventListener('change', renderPlan);
  const card = (id, key, csvId) => h('div.card', {}, h('h2', { 'data-i18n': key }, t(key)), h('a.btn.small', { id: csvId }, 'CSV'), h('table', { id }));
  section.append(
    h('div.card', { id: 'rep-staffing' }, h('h2', { 'data-i18n': 'staff.title' }, t('staff.title')), form, h('div', { id: 'staff-charts' })),
    card('rep-ticket-operators', 'tix.operators', 'csv-ticket-operators'),
    card('rep-ticket-lines', 'tix.lines', 'csv-ticket-lines'),
  );
  planQuery();
  const rep = $('#rep-form');
  rep?.addEventListener('submit', () => loadTickets().catch(() => undefined));
  rep?.addEventListener('change', ticketRange);
  // Static labels carry data-i18n (the language toggle refills them); the drawn parts are redrawn.
  document.addEventListener('languagechange', () => {
    renderPlan();
    renderTickets();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === '#reports' && !state.plan) loadPlan().catch(() => undefined);
  });
  if (location.hash === '#reports') loadPlan().catch(() => undefined);
}

function planQuery() {
  const f = $('#staff-form');
  const q = new URLSearchParams({ weeks: f.weeks.value || '4' });
  if (f.until.value) q.set('until', new Date(f.until.value).toISOString());
  $('#csv-staffing').href = `/api/supervisor/reports/staffing?${q}&format=csv`;
  return q;
}

async function loadPlan() {
  state.plan = await api('GET', `/api/supervisor/reports/staffing?${planQuery()}`);
  renderPlan();
}

function renderPlan() {
  const box = $('#staff-charts');
  if (!box || !state.plan) return;
  const weekday = Number($('#staff-form').weekday.value);
  box.replaceChildren(...state.plan.lines.map((l) => lineChart(l, weekday)));
}

function legend(hasA) {
  const item = (colour, key, line = false) =>
    h('span.small', {}, svgSwatch(colour, line), ' ', t(key));
  return h('div.row.small', {}, item(COLOURS.needed, 'staff.needed'), ' ', hasA ? item(COLOURS.neededA, 'staff.neededA', true) : null, ' ',
    item(COLOURS.loggedIn, 'staff.loggedIn'), ' ', item(COLOURS.forecast, 'staff.forecast', true));
}

function svgSwatch(colour, line) {
  return s('svg', { width: 14, height: 10, viewBox: '0 0 14 10' }, line ? s('rect', { x: 0, y: 4, width: 14, height: 2, fill: colour }) : s('rect', { x: 0, y: 0, width: 14, height: 10, rx: 2, fill: colour }));
}

function lineChart(l, weekday) {
  const slots = l.slots.filter((x) => x.weekday === weekday).sort((a, b) => a.hour - b.hour);
  const W = 1100, H = 280, left = 44, right = 56, top = 16, bottom = 34;
  const plotW = W - left - right, plotH = H - top - bottom;
  const maxOps = Math.max(1, ...slots.flatMap((x) => [x.neededErlangC ?? 0, x.neededErlangA ?? 0, x.loggedIn]));
  const opsStep = niceStep(maxOps);
  const opsTop = Math.ceil(maxOps / opsStep) * opsStep;
  const maxCalls = Math.max(1, ...slots.map((x) => x.forecastCalls));
  const callsStep = niceStep(maxCalls);
  const callsTop = Math.ceil(maxCalls / callsStep) * callsStep;
  const yOps = (v) => top + plotH - (v / opsTop) * plotH;
  const yCalls = (v) => top + plotH - (v / callsTop) * plotH;
  const group = plotW / 24;
  const bar = group * 0.34;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'data-line': l.line, 'aria-label': `${lineName(l.line, l.name)} · ${dayName(weekday)}` });
  for (let v = 0; v <= opsTop; v += opsStep) {
    svg.append(s('line', { x1: left, x2: W - right, y1: yOps(v), y2: yOps(v), stroke: COLOURS.grid }));
    svg.append(s('text', { x: left - 6, y: yOps(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: COLOURS.text }, v));
  }
  for (let v = 0; v <= callsTop; v += callsStep) svg.append(s('text', { x: W - right + 6, y: yCalls(v) + 4, 'font-size': 11, fill: COLOURS.forecast }, v));
  svg.append(s('text', { x: left - 36, y: top - 4, 'font-size': 11, fill: COLOURS.text }, t('staff.operators')));
  svg.append(s('text', { x: W - right + 2, y: top - 4, 'font-size': 11, fill: COLOURS.forecast }, t('staff.callsPerHour')));
  const points = [];
  for (const x of slots) {
    const gx = left + x.hour * group;
    const hourLabel = `${String(x.hour).padStart(2, '0')}:00`;
    const tip = `${hourLabel} · ${t('staff.forecast')}: ${x.forecastCalls} · ${t('staff.needed')}: ${x.neededErlangC ?? '—'}` +
      (x.neededErlangA === null ? '' : ` · ${t('staff.neededA')}: ${x.neededErlangA}`) + ` · ${t('staff.loggedIn')}: ${x.loggedIn}`;
    const rect = (series, v, dx, colour) =>
      s('rect', { x: gx + dx, y: yOps(v ?? 0), width: bar, height: Math.max(0, top + plotH - yOps(v ?? 0)), rx: 2, fill: colour, 'data-series': series, 'data-hour': x.hour, 'data-value': v ?? '' }, s('title', {}, tip));
    svg.append(rect('needed', x.neededErlangC, group * 0.14, COLOURS.needed), rect('loggedIn', x.loggedIn, group * 0.14 + bar + 2, COLOURS.loggedIn));
    if (x.neededErlangA) {
      svg.append(s('rect', { x: gx + group * 0.1, y: yOps(x.neededErlangA) - 1.5, width: bar + 8, height: 3, fill: COLOURS.neededA, 'data-series': 'neededA', 'data-hour': x.hour, 'data-value': x.neededErlangA }, s('title', {}, tip)));
    }
    svg.append(s('text', { x: gx + group / 2, y: H - bottom + 16, 'text-anchor': 'middle', 'font-size': 11, fill: COLOURS.text }, x.hour));
    points.push(`${gx + group / 2},${yCalls(x.forecastCalls)}`);
  }
  svg.append(s('polyline', { points: points.join(' '), fill: 'none', stroke: COLOURS.forecast, 'stroke-width': 2 }));
  for (const x of slots) if (x.forecastCalls > 0) svg.append(s('circle', { cx: left + x.hour * group + group / 2, cy: yCalls(x.forecastCalls), r: 2.5, fill: COLOURS.forecast, 'data-series': 'forecast', 'data-hour': x.hour, 'data-value': x.forecastCalls }));
  const sum = (k) => Math.round(slots.reduce((a, x) => a + (x[k] ?? 0), 0) * 10) / 10;
  const facts = [
    t('staff.target', { pct: Math.round(l.target.share * 100), sec: l.target.withinSec }),
    l.handleSec === null ? null : t('staff.aht', { sec: l.handleSec }),
    l.patienceSec === null ? t('staff.noPatience') : `Erlang A: ${t('staff.patience', { sec: l.patienceSec })}`,
    t('staff.dayTotals', { needed: sum('neededErlangC'), logged: sum('loggedIn') }),
  ].filter(Boolean);
  return h('div', { dataset: { line: l.line } }, h('h3', {}, `${lineName(l.line, l.name)} · ${dayName(weekday)}`), h('div.muted.small', {}, facts.join(' · ')), legend(l.patienceSec !== null), svg);
}

function niceStep(max) {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw && x >= 1) ?? Math.max(1, Math.ceil(raw));
}

// ---- ticket figures ---------------------------------------------------------------------------

function ticketRange() {
  const f = $('#rep-form');
  if (!f?.from.value || !f.to.value) return null;
  const q = new URLSearchParams({ from: new Date(f.from.value).toISOString(), to: new Date(new Date(f.to.value).getTime() + 86_400_000).toISOString() });
  $('#csv-ticket-operators').href = `/api/supervisor/reports/ticket-operators?${q}&format=csv`;
  $('#csv-ticket-lines').href = `/api/supervisor/reports/ticket-lines?${q}&format=csv`;
  return q;
}

async function loadTickets() {
  const q = ticketRange();
  if (!q) return;
  const [ops, lines] = await Promise.all([api('GET', `/api/supervisor/reports/ticket-operators?${q}`), api('GET', `/api/supervisor/reports/ticket-lines?${q}`)]);
  state.tickets = { ops, lines };
  renderTickets();
}

const mins = (sec) => (sec === null ? '—' : sec < 3600 ? `${Math.round(sec / 60)} ${t('min')}` : `${Math.round((sec / 3600) * 10) / 10} ${language() === 'ru' ? 'ч' : 'h'}`);

function renderTickets() {
  if (!state.tickets || !$('#rep-ticket-operators')) return;
  const { ops, lines } = state.tickets;
  const head = (keys) => h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, t(k)))));
  $('#rep-ticket-operators').replaceChildren(
    head(['rec.operator', 'pop.line', 'tix.handled', 'tix.firstResponses', 'tix.firstResponse', 'tix.resolved', 'tix.reopened', 'tix.escalated']),
    h('tbody', {}, ...(ops.operators.length ? ops.operators.map((o) => h('tr', { dataset: { operator: o.operatorId } }, h('td', {}, o.name), h('td', {}, lineName(o.line)), h('td', {}, o.handled),
      h('td', {}, o.firstResponses), h('td', {}, mins(o.avgFirstResponseSec)), h('td', {}, o.resolved), h('td', {}, o.reopened), h('td', {}, o.escalated))) : [h('tr', {}, h('td.muted', { colspan: 8 }, '—'))])),
  );
  $('#rep-ticket-lines').replaceChildren(
    head(['pop.line', 'tix.opened', 'tix.perDay', 'tix.slaMet', 'tix.slaBreached', 'tix.slaPending', 'tix.backlog']),
    h('tbody', {}, ...lines.lines.map((l) => h('tr', { dataset: { line: l.line }, title: l.days.map((d) => `${d.day}: ${d.opened}`).join('\n') }, h('td', {}, lineName(l.line, l.name)), h('td', {}, l.opened), h('td', {}, l.openedPerDay),
      h('td', {}, l.slaMetPercent === null ? '—' : `${l.slaMetPercent}%`), h('td', {}, l.slaBreached), h('td', {}, l.slaPending), h('td', {}, l.backlog)))),
  );
}

mount();
