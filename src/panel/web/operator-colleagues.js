// Internal calls (issue 19): the colleague list of the operator panel, with each colleague's
// extension and state (available, busy, paused, offline), and a call button that dials the
// extension through the panel's own SIP.js phone. The call never involves the service: the
// dialplan ([pbxdesk-internal]) rings the colleague's phone directly, so it is no ticket and has
// no screen pop. An incoming internal call (the dialplan marks it with X-Pbxdesk-Internal) is
// shown as "internal call from <name>" instead of a caller's number. States arrive as
// "colleagues" events on the panel's stream; the list is read again whenever the stream opens.
import { t } from './i18n.js';
import { api, h, duration, toast } from './common.js';
import { lineName } from './line-names.js';

const st = { root: null, ui: null, me: null, list: new Map(), filter: '', call: null };

/** Called once by operator.js: `events` is the panel's event stream, `ui` its state ({ session, phone, call }). */
export function mountColleagues({ events, ui }) {
  st.ui = ui;
  st.root = h('div.card.colleagues', { id: 'colleagues' });
  const anchor = document.getElementById('missed');
  if (anchor) anchor.before(st.root);
  else document.getElementById('desk')?.append(st.root);
  if (!document.getElementById('ic-style')) document.head.append(h('link', { id: 'ic-style', rel: 'stylesheet', href: '/panel/assets/operator-colleagues.css' }));
  events.addEventListener('colleagues', (e) => {
    const changes = JSON.parse(e.data).changes ?? [];
    // Someone new (created since the list was read): the whole list again, extensions and all.
    if (changes.some((c) => !st.list.has(c.id))) return void load();
    for (const c of changes) st.list.set(c.id, c);
    render();
  });
  events.addEventListener('open', load);
  document.addEventListener('languagechange', render);
  // operator.js creates its phone right after mounting this: its events are wrapped once it exists.
  const waitForPhone = setInterval(() => {
    if (!st.ui.phone) return;
    clearInterval(waitForPhone);
    wrapPhone();
  }, 100);
  setInterval(() => st.call?.answeredAt && renderCall(), 1000);
  load();
}

async function load() {
  try {
    const r = await api('GET', '/api/panel/directory');
    st.me = r.me;
    st.list = new Map(r.colleagues.map((c) => [c.id, c]));
  } catch {
    // Kept as it was: the next stream (re)connect reads it again.
  }
  render();
}

/** The phone's own events, wrapped: operator.js keeps handling them, this adds the internal call's view. */
function wrapPhone() {
  const phone = st.ui.phone;
  if (!phone) return;
  const d = phone.delegate ?? (phone.delegate = {});
  const received = d.onCallReceived;
  d.onCallReceived = (...args) => {
    received?.(...args);
    const ext = phone.session?.request?.getHeader?.('X-Pbxdesk-Internal');
    if (!ext || !st.ui.call) return;
    const who = [...st.list.values()].find((c) => c.extension === ext)?.name ?? phone.session?.remoteIdentity?.displayName ?? '';
    // Kept on the call's pop, so operator.js shows it whenever it draws the call again.
    st.ui.call.pop = { ...st.ui.call.pop, internal: true, callerNumber: `${t('ic.from')}: ${who} (${ext})` };
    const el = document.getElementById('pop-caller');
    if (el) el.textContent = st.ui.call.pop.callerNumber;
    // No caller to verify, transfer or put on hold through the API, and no ticket: those controls go (operator-colleagues.css).
    internalView(true);
  };
  const answered = d.onCallAnswered;
  d.onCallAnswered = (...args) => {
    answered?.(...args);
    if (st.call) {
      st.call.answeredAt = Date.now();
      renderCall();
    }
  };
  const hungUp = d.onCallHangup;
  d.onCallHangup = (...args) => {
    hungUp?.(...args);
    internalView(false);
    if (st.call) {
      st.call = null;
      render();
    }
  };
}

function internalView(on) {
  document.getElementById('call')?.classList.toggle('internal', on);
  document.body.classList.toggle('ic-internal', on);
}

async function dial(c) {
  const phone = st.ui.phone;
  if (!phone || !c.extension || st.call || st.ui.call || phone.session) return;
  st.call = { colleague: c, answeredAt: null };
  render();
  try {
    await phone.call(`sip:${c.extension}@${st.ui.session.sip.domain}`);
  } catch (err) {
    st.call = null;
    render();
    toast(`${t('err.generic')}: ${err.message}`);
  }
}

function hangup() {
  const phone = st.ui.phone;
  (st.call?.answeredAt ? phone.hangup() : phone.session ? phone.hangup() : Promise.resolve()).catch(() => undefined);
  st.call = null;
  render();
}

function render() {
  if (!st.root) return;
  const q = st.filter.trim().toLowerCase();
  const rows = [...st.list.values()]
    .filter((c) => !q || c.name.toLowerCase().includes(q) || (c.extension ?? '').startsWith(q))
    .sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  const search = h('input.ic-search', { type: 'search', placeholder: t('ic.search'), value: st.filter, 'aria-label': t('ic.search') });
  search.addEventListener('input', (e) => {
    st.filter = e.target.value;
    render();
    const again = st.root.querySelector('.ic-search');
    again?.focus();
    again?.setSelectionRange(st.filter.length, st.filter.length);
  });
  st.root.replaceChildren(
    h('h3', {}, t('ic.title'), st.me?.extension ? h('span.ic-mine', {}, ` · ${t('ic.mine')} ${st.me.extension}`) : null),
    h('div.ic-call', { id: 'ic-call', hidden: !st.call }),
    search,
    rows.length
      ? h('ul.ic-list', {}, ...rows.map(row))
      : h('p.muted', {}, t('ic.none')),
  );
  renderCall();
}

/** Available first, then busy, paused, offline. */
function order(c) {
  return ['available', 'busy', 'paused', 'offline'].indexOf(c.state);
}

function row(c) {
  // Any state: a supervisor outside the ACD is "offline" there but at their desk; an unregistered phone simply does not answer.
  const canCall = Boolean(c.extension) && !st.call && !st.ui.call;
  return h(
    'li.ic',
    { dataset: { id: c.id, extension: c.extension ?? '' } },
    h('div.ic-who', {}, h('span.ic-name', {}, c.name, c.supervisor ? ' ★' : ''), h('span.ic-meta', {}, `${lineName(c.line)}${c.extension ? ` · ${c.extension}` : ''}`)),
    h(`span.ic-state.${c.state}`, {}, t(`ic.state.${c.state}`)),
    h('button.btn.small.ic-dial', { type: 'button', disabled: !canCall, title: c.extension ? `${t('ic.call')} ${c.extension}` : t('ic.noExtension'), onclick: () => dial(c) }, '☎ ', t('ic.call')),
  );
}

function renderCall() {
  const box = st.root?.querySelector('#ic-call');
  if (!box) return;
  box.hidden = !st.call;
  if (!st.call) return box.replaceChildren();
  const c = st.call.colleague;
  box.replaceChildren(
    h('span', {}, st.call.answeredAt ? `${t('ic.talking')} ${c.name} (${c.extension}) · ${duration((Date.now() - st.call.answeredAt) / 1000)}` : `${t('ic.calling')} ${c.name} (${c.extension})…`),
    h('button.btn.danger.small.ic-hangup', { type: 'button', onclick: hangup }, t('ic.hangup')),
  );
}
