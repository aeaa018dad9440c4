// The operator's tickets between calls: the list views of their line as tabs (mine, unassigned,
// SLA with time left, waiting for the customer, search), and a ticket page with the whole
// timeline and the edits the rules allow. Addressed by the URL (#tickets/<view>, #ticket/<id>),
// kept current by the panel's event stream ("ticket" events: no polling). The API decides who
// sees what: an operator opening another line's ticket gets its 403 as a page of its own.
import { t, applyI18n } from './i18n.js';
import { api, $, h, duration, when, toast } from './common.js';
import { Ringer } from './ringer.js';
import { dialButton, dialForm } from './operator-dial.js';
import { fillLineSelect, lineName } from './line-names.js';

const VIEWS = ['mine', 'unassigned', 'sla', 'waiting', 'search'];
const PAGE = 25;
const SOUND_KEY = 'pbxdesk.ticketSound';
const st = {
  me: null,
  /** What is on screen: { kind: 'desk' } | { kind: 'list', view } | { kind: 'ticket', id } */
  at: { kind: 'desk' },
  offset: 0,
  filters: { priority: '', category: '' },
  search: { text: '', in: 'auto' },
  list: null,
  ticket: null,
  error: null,
  colleagues: [],
  fresh: new Set(),
  /** Recordings being played on the open page: kept across re-renders (a pushed change must not stop them). */
  players: new Map(),
};
const chime = new Ringer();

/** Called once by operator.js: `events` is the panel's event stream, `me` the signed-in operator. */
export function mountTickets({ events, me }) {
  st.me = me;
  $('#desk-tabs').hidden = false;
  $('#ticket-sound').checked = localStorage.getItem(SOUND_KEY) === 'on';
  $('#ticket-sound').addEventListener('change', (e) => localStorage.setItem(SOUND_KEY, e.target.checked ? 'on' : 'off'));
  $('#ticket-filters').addEventListener('change', (e) => {
    st.filters[e.target.name] = e.target.value.trim();
    st.offset = 0;
    load();
  });
  $('#ticket-search').addEventListener('submit', (e) => {
    e.preventDefault();
    st.search = { text: e.target.q.value.trim(), in: e.target.in.value };
    st.offset = 0;
    if (location.hash !== '#tickets/search') location.hash = '#tickets/search';
    else load();
  });
  $('#ticket-prev').addEventListener('click', () => page(-PAGE));
  $('#ticket-next').addEventListener('click', () => page(PAGE));
  $('#ticket-edit').addEventListener('submit', save);
  $('#ticket-note').addEventListener('submit', addNote);
  events.addEventListener('ticket', (e) => onTicket(JSON.parse(e.data)));
  // A call rings: the desk comes to the front, whatever page was open.
  events.addEventListener('ringing', () => st.at.kind !== 'desk' && (location.hash = '#desk'));
  window.addEventListener('hashchange', route);
  document.addEventListener('languagechange', render);
  api('GET', '/api/panel/colleagues').then((r) => (st.colleagues = r.colleagues)).catch(() => undefined);
  route();
}

function route() {
  const m = /^#(tickets|ticket)\/([a-z0-9]+)$/.exec(location.hash);
  st.at = m?.[1] === 'ticket' ? { kind: 'ticket', id: m[2] } : m && VIEWS.includes(m[2]) ? { kind: 'list', view: m[2] } : { kind: 'desk' };
  st.offset = 0;
  $('#desk').hidden = st.at.kind !== 'desk';
  $('#tickets-page').hidden = st.at.kind === 'desk';
  for (const a of document.querySelectorAll('#desk-tabs a')) a.classList.toggle('active', a.dataset.tab === (st.at.kind === 'desk' ? 'desk' : 'tickets'));
  if (st.at.kind === 'list') $('#desk-tabs a[data-tab=tickets]').classList.remove('has-new');
  load();
}

function page(delta) {
  st.offset = Math.max(0, st.offset + delta);
  load();
}

/** The query of the search tab: the box's text as full text, a ticket number, a phone or a customer. */
function searchQuery() {
  const s = st.search.text;
  if (!s) return null;
  const digits = s.replace(/[\s()+-]/g, '');
  const kind = st.search.in !== 'auto' ? st.search.in : /^\d+$/.test(digits) ? (s.startsWith('+') || digits.length >= 10 ? 'phone' : 'number') : 'text';
  const param = { text: 'q', number: 'number', phone: 'phone', customer: 'customer' }[kind];
  return new URLSearchParams({ [param]: kind === 'number' || kind === 'phone' ? digits : s });
}

async function load() {
  st.error = null;
  try {
    if (st.at.kind === 'list') {
      const q = st.at.view === 'search' ? searchQuery() : new URLSearchParams(Object.entries(st.filters).filter(([, v]) => v));
      if (q) {
        q.set('limit', String(PAGE));
        q.set('offset', String(st.offset));
      }
      const path = st.at.view === 'search' ? `/api/tickets?${q}` : `/api/tickets/views/${st.at.view}?${q}`;
      st.list = st.at.view === 'search' && !q ? { total: 0, tickets: [] } : await api('GET', path);
    } else if (st.at.kind === 'ticket') {
      // Another ticket: its players go; the same one reloaded (a pushed change) keeps them playing.
      if (st.ticket?.id !== st.at.id) {
        st.players.clear();
        st.ticket = null;
      }
      st.ticket = await api('GET', `/api/tickets/${st.at.id}`);
    }
  } catch (err) {
    st.error = err;
  }
  render();
}

// ---- rendering --------------------------------------------------------------------------------

function render() {
  if (st.at.kind === 'desk') return;
  $('#ticket-list-box').hidden = st.at.kind !== 'list';
  $('#ticket-page').hidden = st.at.kind !== 'ticket';
  $('#ticket-error').hidden = !st.error;
  if (st.error) return renderError();
  if (st.at.kind === 'list') renderList();
  else if (st.ticket) renderTicket();
}

function renderError() {
  const e = st.error;
  $('#ticket-list-box').hidden = true;
  $('#ticket-page').hidden = true;
  const [code, title, text] =
    e.status === 403 ? ['403', t('tk.forbidden'), t('tk.forbiddenText')] : e.status === 404 ? ['404', t('tk.notFound'), ''] : [String(e.status ?? ''), t('err.generic'), e.message];
  $('#ticket-error').replaceChildren(h('div.code', {}, code), h('h2', {}, title), h('p.muted', {}, text), h('a.btn', { href: '#tickets/mine' }, t('tk.back')));
  $('#ticket-error').dataset.status = code;
}

function renderList() {
  const view = st.at.view;
  for (const a of document.querySelectorAll('#ticket-views a')) a.classList.toggle('active', a.dataset.view === view);
  $('#ticket-filters').hidden = view === 'search';
  $('#ticket-search').hidden = view !== 'search';
  const rows = st.list?.tickets ?? [];
  $('#ticket-rows').replaceChildren(
    ...(rows.length
      ? rows.map((x) =>
          h(`tr.${st.fresh.has(x.id) ? 'fresh' : 'row'}`, { dataset: { id: x.id }, onclick: () => (location.hash = `#ticket/${x.id}`) },
            h('td', {}, h('a', { href: `#ticket/${x.id}` }, x.number)),
            h('td.subject', {}, x.subject),
            h('td', {}, x.customerName ?? x.accountId ?? x.callerNumber ?? '—'),
            h('td', {}, label('status', x.status)),
            h('td', {}, h(`span.prio.${x.priority}`, {}, label('priority', x.priority))),
            h('td', {}, slaText(x)),
            h('td', {}, who(x.assigneeId)),
            h('td.muted', {}, when(x.updatedAt)),
          ),
        )
      : [h('tr', {}, h('td.muted', { colspan: 8 }, t('tk.empty')))]),
  );
  const total = st.list?.total ?? 0;
  $('#ticket-count').textContent = total ? t('tk.pageOf', { from: st.offset + 1, to: st.offset + rows.length, total }) : '';
  $('#ticket-prev').disabled = st.offset === 0;
  $('#ticket-next').disabled = st.offset + rows.length >= total;
}

/** "осталось 1:20:00" / "просрочено на 5:00": the next SLA target, with its state's colour. */
function slaText(x) {
  const c = x.slaClock;
  if (!c) return h('span.muted', {}, '—');
  const text = c.leftSec >= 0 ? t('tk.left', { time: hms(c.leftSec) }) : t('tk.over', { time: hms(-c.leftSec) });
  return h(`span.sla.${c.state}`, { title: `${t(`tk.target.${c.target}`)} · ${when(c.due)}` }, text);
}

function hms(sec) {
  const hrs = Math.floor(sec / 3600);
  return hrs ? `${hrs}:${duration(sec % 3600).padStart(5, '0')}` : duration(sec);
}

function label(kind, v) {
  const s = t(`${kind}.${v}`);
  return s === `${kind}.${v}` ? v : s;
}

/** An operator's name (the colleagues list), "me", or whoever else acted: caller, system, a token. */
function who(id) {
  if (!id) return t('tk.nobody');
  if (id === st.me.id) return `${st.me.name} (${t('tk.me')})`;
  return st.colleagues.find((c) => c.id === id)?.name ?? `${t('tk.operator')} ${id}`;
}

function actor(a) {
  const m = /^operator:(\d+)$/.exec(a);
  if (m) return who(m[1]);
  return a === 'caller' || a === 'system' ? t(`tk.actor.${a}`) : a;
}

function renderTicket() {
  const x = st.ticket;
  $('#ticket-title').replaceChildren(h('span.muted', {}, `№ ${x.number}`), ' ', x.subject);
  const facts = [
    ['ticket.status', label('status', x.status)], ['ticket.priority', label('priority', x.priority)], ['tk.line', x.line ? lineName(x.line) : '—'],
    ['ticket.category', x.category ?? '—'], ['tk.assignee', who(x.assigneeId)], ['tk.customer', x.customerName ?? '—'],
    ['tk.account', x.accountId ? `${x.accountId}${x.verifiedAt ? ` ✔ ${t('pop.verified')}` : ''}` : '—'], ['tk.phones', x.phones.join(', ') || '—'],
    ['tk.survey', x.surveyScore ?? '—'], ['tk.sla', x.sla.state === 'ok' ? t('tk.slaOk') : t(`tk.sla.${x.sla.state}`)],
  ];
  $('#ticket-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)]));
  dialBox(x);
  const f = $('#ticket-edit');
  if (!f.contains(document.activeElement)) {
    f.status.replaceChildren(...[x.status, ...x.nextStatuses.filter((s) => s !== x.status)].map((s) => h('option', { value: s }, label('status', s))));
    f.status.value = x.status;
    f.priority.value = x.priority;
    f.category.value = x.category ?? '';
    // The configured lines (GET /api/lines), not a fixed pair; a ticket on no line yet shows the operator's home line.
    fillLineSelect(f.line);
    f.line.value = x.line ?? st.me.line;
    const mates = st.colleagues.filter((c) => c.line === (x.line ?? st.me.line));
    f.assignee.replaceChildren(h('option', { value: '' }, t('tk.nobody')), h('option', { value: st.me.id }, `${st.me.name} (${t('tk.me')})`), ...mates.map((c) => h('option', { value: c.id }, c.name)));
    if (x.assigneeId && ![...f.assignee.options].some((o) => o.value === x.assigneeId)) f.assignee.append(h('option', { value: x.assigneeId }, who(x.assigneeId)));
    f.assignee.value = x.assigneeId ?? '';
  }
  $('#ticket-timeline').replaceChildren(...x.timeline.slice().reverse().map(entry));
  $('#ticket-sync').replaceChildren(
    ...(x.sync.length
      ? x.sync.map((s) =>
          h(`li.sync.${s.state}`, {}, h('b', {}, s.connector), ' ', s.remoteUrl ? h('a', { href: s.remoteUrl, target: '_blank', rel: 'noopener' }, s.remoteId ?? '↗') : s.remoteId ?? '',
            ' · ', label('tk.syncState', s.state), s.syncedAt ? ` · ${when(s.syncedAt)}` : '', s.lastError ? h('div.error.small', {}, s.lastError) : null))
      : [h('li.muted', {}, t('tk.noSync'))]),
  );
}

/** One timeline line: when, who, what happened, and for a recorded call a play button. */
function entry(e) {
  const d = e.data ?? {};
  const change = 'from' in d && 'to' in d ? `${shown(e.kind, d.from)} → ${shown(e.kind, d.to)}` : null;
  let body;
  if (e.kind === 'note') body = h('div.note-body', {}, d.body);
  else if (e.kind === 'call' || e.kind === 'callback-call' || e.kind === 'outbound-call' || e.kind === 'voicemail') {
    body = h('span', {}, [d.callerNumber, label('status', d.status), d.durationSec !== null ? duration(d.durationSec) : null, d.surveyScore ? `${t('tk.survey')}: ${d.surveyScore}` : null].filter(Boolean).join(' · '),
      d.recordingId ? st.players.get(d.recordingId) ?? h('button.btn.small.play', { type: 'button', onclick: (ev) => play(ev.target, d.recordingId) }, `▶ ${t('rec.play')}`) : null);
  } else if (e.kind === 'verification') body = `${d.outcome} · ${d.method}${d.accountId ? ` · ${d.accountId}` : ''}`;
  else if (e.kind === 'callback') body = h('span', {}, `${d.number} · ${d.status}${d.closedReason ? ` · ${d.closedReason}` : ''} `, dialButton({ ticketId: st.ticket.id, number: d.number }));
  else if (e.kind === 'callback-attempt') body = `#${d.attemptNo} · ${d.outcome ?? '…'}`;
  else if (e.kind === 'sla') body = `${t(`tk.sla.${d.state}`)} · ${t(`tk.target.${d.target}`)}`;
  else if (e.kind === 'created') body = [label('priority', d.priority), d.line ? lineName(d.line) : null, d.category].filter(Boolean).join(' · ');
  else body = change ?? Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ');
  return h(`li.tl.tl-${e.kind}`, { dataset: { kind: e.kind } }, h('div.muted.small', {}, `${when(e.at)} · ${actor(e.actor)}`), h('b', {}, label('tl', e.kind)), ' ', body);
}

/**
 * Click-to-call from the ticket (operator-dial.js): its phone to begin with, or another number.
 * Made again only for another ticket or language: a pushed change must not wipe what was typed.
 */
function dialBox(x) {
  let box = $('#ticket-dial');
  if (!box) {
    box = h('div.ticket-dial', { id: 'ticket-dial' });
    $('#ticket-facts').after(box);
  }
  if (box.dataset.ticket === x.id && box.dataset.label === t('dial.call')) return;
  box.dataset.ticket = x.id;
  box.dataset.label = t('dial.call');
  box.replaceChildren(dialForm({ ticketId: x.id, number: x.phones[0] ?? '' }));
}

function shown(kind, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (kind === 'status' || kind === 'priority') return label(kind, v);
  if (kind === 'line') return lineName(v);
  if (kind === 'assignee') return who(String(v));
  return String(v);
}

/** Playback through the audited audio route: the API says whether this operator may hear it. */
async function play(button, recordingId) {
  try {
    await api('GET', `/api/recordings/${recordingId}`);
    const audio = h('audio', { controls: true, autoplay: true, src: `/api/recordings/${recordingId}/audio` });
    st.players.set(recordingId, audio);
    button.replaceWith(audio);
  } catch (err) {
    toast(err.status === 403 ? t('tk.recordingDenied') : `${t('err.generic')}: ${err.message}`);
  }
}

// ---- changes ----------------------------------------------------------------------------------

async function save(e) {
  e.preventDefault();
  const x = st.ticket;
  const f = e.target;
  const patch = {};
  if (f.status.value !== x.status) patch.status = f.status.value;
  if (f.priority.value !== x.priority) patch.priority = f.priority.value;
  if ((f.category.value.trim() || null) !== x.category) patch.category = f.category.value.trim() || null;
  if (f.line.value !== x.line) patch.line = f.line.value;
  if ((f.assignee.value || null) !== x.assigneeId) patch.assigneeId = f.assignee.value || null;
  if (!Object.keys(patch).length) return;
  try {
    await api('PATCH', `/api/tickets/${x.id}`, patch);
    toast(t('tk.saved'));
    document.activeElement?.blur();
    await load();
  } catch (err) {
    toast(`${t('err.generic')}: ${err.message}`);
  }
}

async function addNote(e) {
  e.preventDefault();
  const body = e.target.body.value.trim();
  if (!body || !st.ticket) return;
  try {
    await api('POST', `/api/tickets/${st.ticket.id}/notes`, { body });
    e.target.reset();
    await load();
  } catch (err) {
    toast(`${t('err.generic')}: ${err.message}`);
  }
}

/** A ticket of my line changed (pushed): lists and the open page follow; a new one may chime. */
function onTicket(ev) {
  if (ev.change === 'created') {
    st.fresh.add(ev.ticket.id);
    if ($('#ticket-sound').checked) chime.chime();
    if (st.at.kind !== 'list') $('#desk-tabs a[data-tab=tickets]').classList.add('has-new');
    toast(t('tk.newTicket', { number: ev.ticket.number }));
  }
  if (st.at.kind === 'list' && st.at.view !== 'search' && touches(ev.ticket)) reload();
  else if (st.at.kind === 'ticket' && st.at.id === ev.ticket.id) {
    if (ev.change === 'gone') toast(t('tk.gone'));
    reload();
  }
}

/** Whether a change concerns the list on screen: a row of it, or a ticket its view and filters take in. */
function touches(x) {
  if (st.list?.tickets.some((r) => r.id === x.id)) return true;
  if (!x.status || !['new', 'open', 'pending_customer'].includes(x.status)) return false;
  if ((st.filters.priority && x.priority !== st.filters.priority) || (st.filters.category && x.category !== st.filters.category)) return false;
  const view = st.at.view;
  if (view === 'mine') return x.assigneeId === st.me.id;
  if (view === 'unassigned') return !x.assigneeId;
  if (view === 'waiting') return x.status === 'pending_customer';
  return Boolean(x.slaClock && x.slaClock.state !== 'ok');
}

/** One reload at a time: a burst of pushed changes makes one more request, not one each. */
let reloading = null;
let again = false;
function reload() {
  if (reloading) {
    again = true;
    return;
  }
  reloading = load().finally(() => {
    reloading = null;
    if (again) {
      again = false;
      reload();
    }
  });
}

applyI18n(document);
