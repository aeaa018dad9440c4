// The missed-calls worklist of the operator's line (src/missed): callers who hung up in the
// queue or left a voicemail, one row per number with how many times and when last. "Call back
// now" and "book a callback" (at a time; the line's business hours apply) go through the API,
// whose callback number rules decide. Kept current by the panel's event stream ("missed-call"
// events, no polling); read again whenever the stream (re)connects.
import { t } from './i18n.js';
import { api, $, h, duration, when, toast } from './common.js';
import { dialButton } from './operator-dial.js';
import { lineName } from './line-names.js';

const st = { root: null, me: null, entries: new Map(), picking: null, busy: new Set() };

const ERRORS = {
  callback_number_not_allowed: 'mc.err.number',
  callback_rate_limited: 'mc.err.limit',
  callback_window_invalid: 'mc.err.window',
  missed_call_taken: 'mc.err.taken',
};

/** Called once by operator.js: `events` is the panel's event stream, `me` the signed-in operator. */
export function mountMissedCalls({ events, me }) {
  st.root = $('#missed');
  st.me = me;
  if (!st.root) return;
  style();
  st.root.hidden = false;
  events.addEventListener('missed-call', (e) => upsert(JSON.parse(e.data)));
  events.addEventListener('open', load);
  document.addEventListener('languagechange', render);
  load();
}

async function load() {
  try {
    const r = await api('GET', '/api/missed-calls?status=open');
    st.entries = new Map(r.missedCalls.map((e) => [e.id, e]));
  } catch {
    // Kept as it was; the next event or reconnect reads it again.
  }
  render();
}

function upsert(e) {
  if (e.status === 'cleared') st.entries.delete(e.id);
  else st.entries.set(e.id, e);
  if (st.picking === e.id && e.status !== 'open') st.picking = null;
  render();
}

async function callBack(e, notBefore) {
  if (st.busy.has(e.id)) return;
  st.busy.add(e.id);
  render();
  try {
    const r = await api('POST', `/api/missed-calls/${e.id}/callback`, notBefore ? { notBefore } : {});
    st.picking = null;
    upsert(r.missedCall);
    const at = r.callback.nextAttemptAt;
    toast(at && Date.parse(at) > Date.now() + 60_000 ? t('mc.bookedAt', { when: when(at) }) : t('mc.bookedNow'));
  } catch (err) {
    toast(`${t(ERRORS[err.code] ?? 'err.generic')}${err.code === 'missed_call_taken' ? '' : `: ${err.message}`}`);
    if (err.code === 'missed_call_taken') await load();
  } finally {
    st.busy.delete(e.id);
    render();
  }
}

function row(e) {
  const reason = e.reason === 'voicemail' ? t('mc.voicemail') : t('mc.abandoned', { wait: duration(e.longestWaitSec) });
  const others = st.me?.supervisor || e.line !== st.me?.line;
  const busy = st.busy.has(e.id);
  const facts = [
    h('div.mc-head', {},
      h('span.mc-number', {}, pretty(e.number)),
      e.calls > 1 ? h('span.mc-count', { title: t('mc.calls', { n: e.calls }) }, `×${e.calls}`) : null,
      others ? h('span.mc-line', {}, lineName(e.line)) : null),
    h('div.muted.small', {}, `${reason} · ${t('mc.last')} ${when(e.lastAt)}`),
  ];
  if (e.status === 'booked') facts.push(h('div.mc-booked', {}, t('mc.booked')));
  else if (e.callbackOutcome) facts.push(h('div.mc-note', { title: e.callbackOutcome }, t('mc.outcome')));
  if (e.refusal) facts.push(h('div.mc-note', { title: e.refusal }, t('mc.refusal')));
  const actions = [];
  if (e.status === 'open' && !e.refusal) {
    if (st.picking === e.id) {
      const input = h('input.mc-when', { type: 'datetime-local', value: soon() });
      actions.push(
        input,
        h('button.btn.small.primary', { disabled: busy, onclick: () => input.value && callBack(e, new Date(input.value).toISOString()) }, t('mc.bookConfirm')),
        h('button.btn.small', { onclick: () => ((st.picking = null), render()) }, t('mc.cancel')),
      );
    } else {
      actions.push(
        h('button.btn.small.primary', { 'data-action': 'now', disabled: busy, onclick: () => callBack(e) }, t('mc.now')),
        h('button.btn.small', { 'data-action': 'book', disabled: busy, onclick: () => ((st.picking = e.id), render()) }, t('mc.book')),
        // Or call them now from my own phone (click-to-call): the entry clears once they answer.
        dialButton({ ticketId: e.ticketId, number: e.number }),
      );
    }
  }
  return h('li', { 'data-id': e.id, class: `mc ${e.status}` }, h('div.mc-facts', {}, facts), actions.length ? h('div.mc-actions', {}, actions) : null);
}

function render() {
  if (!st.root) return;
  const list = [...st.entries.values()].sort((a, b) => Date.parse(b.lastAt) - Date.parse(a.lastAt));
  st.root.replaceChildren(
    h('h3', {}, t('mc.title'), list.length ? h('span.mc-total', {}, String(list.length)) : null),
    list.length ? h('ul.mc-list', {}, list.map(row)) : h('p.muted.small', {}, t('mc.none')),
  );
}

/** The picker starts an hour from now, in local time as datetime-local wants it. */
function soon() {
  const d = new Date(Date.now() + 3_600_000);
  d.setMinutes(0, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:00`;
}

/** The module's own stylesheet (the panel's CSP allows only the service's own files). */
function style() {
  if (document.getElementById('mc-style')) return;
  document.head.append(h('link', { id: 'mc-style', rel: 'stylesheet', href: '/panel/assets/operator-missed.css' }));
}

/** Russian numbers grouped as people write them (+7 912 123-45-67); others as they are. */
function pretty(n) {
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(n);
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : n;
}
