// The operator panel: the softphone (SIP.js over the service's WebSocket relay, WebRTC media),
// the screen pop and call controls, the ticket side, canned phrases and wrap-up. The server is
// the truth for the operator's state and the call: the panel shows what the event stream says
// and asks the API for every change; only media, mute and DTMF stay in the browser.
import { t, applyI18n } from './i18n.js';
import { api, currentSession, signInForm, signOut, $, h, duration, when, langToggle, stream, toast } from './common.js';
import { Ringer } from './ringer.js';
import { mountTickets } from './operator-tickets.js';
import { mountMissedCalls } from './operator-missed.js';
import { mountColleagues } from './operator-colleagues.js';
import { renderRepeatCallers, renderRingReason } from './operator-pop.js';
import { renderTransferLines } from './operator-transfer.js';
import { lineName, loadLines } from './line-names.js';
import { callTicketSide } from './operator-call-ticket.js';
import { startPhone } from './operator-phone.js';

const ui = {
  session: null,
  me: null,
  phone: null,
  /** The call on screen: { callId, pop, phase: 'ringing' | 'talking' | 'ended', answeredAt, onHold, consult } */
  call: null,
  invited: false,
  ticket: null,
  colleagues: [],
};
const ringer = new Ringer();
const { loadTicket, saveTicket, addNote, loadColleagues, loadPhrases } = callTicketSide(ui, { renderPop: () => renderPop() });

async function boot() {
  langToggle();
  ui.session = (await currentSession()) ?? (await signInForm());
  $('#desk').hidden = false;
  $('#signout').hidden = false;
  $('#signout').addEventListener('click', async () => {
    await ui.phone?.unregister().catch(() => undefined);
    await signOut();
  });
  $('#sup-link').hidden = !ui.session.operator.supervisor;
  $('#who').textContent = ui.session.operator.name;
  ui.me = await api('GET', '/api/panel/me');
  await loadLines(); // the configured lines' names (GET /api/lines), before anything names one
  renderState();
  wireControls();
  const events = stream('/api/panel/events', {
    ringing: onPop,
    answered: (e) => {
      if (e.callId !== ui.call?.callId) return;
      talking();
      // Also sent when a colleague hands the call over: the ticket may have become ours to see.
      if (!ui.ticket && ui.call.pop?.ticket) loadTicket(ui.call.pop.ticket.id, ui.call.pop.ticket.number);
    },
    missed: (e) => e.callId === ui.call?.callId && endCall(),
    ended: (e) => e.callId === ui.call?.callId && endCall(),
    state: (op) => {
      ui.me = op;
      renderState();
    },
  });
  mountTickets({ events, me: ui.me });
  mountMissedCalls({ events, me: ui.me });
  loadPhrases();
  document.addEventListener('languagechange', () => {
    renderState();
    renderPop();
    loadPhrases();
  });
  setInterval(tick, 500);
  mountColleagues({ events, ui });
  await startPhone(ui, { invited, answered: () => ui.call && talking(), hungUp: phoneHungUp });
}

// ---- softphone ----------------------------------------------------------------------------

/** The phone hung up (the caller, the operator, or a supervisor's monitor call ended). */
function phoneHungUp() {
  ui.invited = false;
  ringer.stop();
  if (ui.monitor) {
    ui.monitor = null;
    banner(null);
    if (!ui.call) show('idle');
  } else if (ui.call) endCall();
}

/** An INVITE arrived. A supervisor's monitor call (listen, whisper, barge) is picked up at once. */
function invited() {
  const monitor = ui.phone.session?.request?.getHeader('X-Pbxdesk-Monitor');
  if (monitor) {
    ui.monitor = monitor;
    ui.phone.answer().catch(() => undefined);
    banner(`${t('live.' + monitor)} …`);
    return;
  }
  ui.invited = true;
  if (!ui.call) {
    // The screen pop is usually here first; if not, the caller's number from the INVITE will do meanwhile.
    const from = ui.phone.session?.remoteIdentity?.uri?.user ?? '';
    ui.call = { callId: null, pop: { callerNumber: from, verification: { status: 'none' }, ivrPath: [], ticket: null }, phase: 'ringing' };
    renderPop();
  }
  ringer.start();
  document.title = `☎ ${ui.call.pop.callerNumber ?? ''} — pbxdesk`;
}

// ---- the call -----------------------------------------------------------------------------

function onPop(pop) {
  const same = ui.call && (ui.call.callId === pop.callId || ui.call.callId === null);
  if (!same) $('#claim-account').value = '';
  ui.call = { ...(same ? ui.call : {}), callId: pop.callId, pop, phase: same ? ui.call.phase : 'ringing' };
  renderPop();
  loadTicket(pop.ticket?.id, pop.ticket?.number);
  if (ui.call.phase === 'ringing') {
    show('call');
    ringer.start();
  }
}

function talking() {
  if (!ui.call || ui.call.phase === 'talking') return;
  ringer.stop();
  document.title = 'pbxdesk';
  ui.call.phase = 'talking';
  ui.call.answeredAt = Date.now();
  renderPop();
  loadColleagues();
}

function endCall() {
  ringer.stop();
  $('#claim-account').value = ''; // never carried over to the next caller
  document.title = 'pbxdesk';
  ui.invited = false;
  ui.call = null;
  banner(null);
  show(ui.me?.wrapUpCallId ? 'wrapup' : 'idle');
}

function show(which) {
  $('#idle').hidden = which !== 'idle';
  $('#call').hidden = which !== 'call';
  $('#wrapup').hidden = which !== 'wrapup';
}

function banner(text) {
  const b = $('#call-banner');
  b.hidden = !text;
  b.textContent = text ?? '';
  if (text && ui.monitor && !ui.call) {
    show('call');
    $('#ring-actions').hidden = true;
  }
}

function renderPop() {
  const c = ui.call;
  if (!c) return;
  show('call');
  const p = c.pop;
  $('#call-kicker').textContent = c.phase === 'ringing' ? t('ring.title') : t('call.title');
  $('#call').classList.toggle('ringing', c.phase === 'ringing');
  $('#pop-caller').textContent = p.callerNumber ?? '—';
  const v = p.verification ?? { status: 'none' };
  const verif = $('#pop-verif');
  verif.className = `verif ${v.status}`;
  verif.textContent =
    v.status === 'verified'
      ? `✔ ${t('pop.verified')}: ${p.verification.customerName ?? ''} (${p.verification.accountId})`
      : v.status === 'failed'
        ? `✖ ${t('pop.failed')}`
        : `○ ${t('pop.notVerified')}`;
  renderRingReason(c); // rung first as the assignee of the caller's ticket: why, and how sure
  // Keyed a ticket's number without proving it theirs: the operator checks, then attaches with one click.
  $('#pop-claim').hidden = !p.claim;
  if (p.claim) {
    $('#pop-claim-text').textContent = `⚠ ${t('pop.claim', { number: p.claim.number })}`;
    $('#claim-confirm').textContent = t('pop.claimConfirm', { number: p.claim.number });
    $('#claim-confirm').hidden = !ui.call.callId;
  }
  $('#pop-line').textContent = p.line ? lineName(p.line) : '—';
  $('#pop-lang').textContent = p.language ?? '—';
  $('#pop-waited').textContent = p.waitedSec === null || p.waitedSec === undefined ? '—' : duration(p.waitedSec);
  $('#pop-ivr').textContent = (p.ivrPath ?? []).map((x) => ivrStep(x, p.claim)).join(' → ') || '—';
  renderRepeatCallers(c, (r) => {
    c.pop = { ...c.pop, repeatTickets: [], ticket: { id: r.ticket.id, number: r.ticket.number, history: [], notes: [] } };
    if (ui.call !== c) return;
    renderPop();
    loadTicket(r.ticket.id, r.ticket.number);
  });
  $('#ring-actions').hidden = c.phase !== 'ringing';
  $('#call-actions').hidden = c.phase !== 'talking';
  $('#transfer').hidden = c.phase !== 'talking';
  renderTransferLines($('#transfer-lines'), p.line ?? null, (line) => callApi('/transfer', { line }));
  $('#hold').textContent = t(c.onHold ? 'call.resume' : 'call.hold');
  $('#mute').textContent = t(ui.phone?.isMuted() ? 'call.unmute' : 'call.mute');
  $('#consult-actions').hidden = !c.consult;
  banner(c.consult ? t('call.consulting') : c.onHold ? t('call.onHold') : c.verifying ? t('call.verifying') : null);
  const hist = $('#pop-history');
  hist.replaceChildren(
    ...(p.ticket?.history?.length
      ? p.ticket.history.map((x) =>
          h('li', {}, h('span', {}, when(x.at)), ' ', h('span.muted', {}, t(`status.${x.status}`) === `status.${x.status}` ? x.status : t(`status.${x.status}`)), ' ', duration(x.durationSec),
            x.recordingId ? h('a.rec', { href: `/panel/supervisor#recording=${x.recordingId}`, target: '_blank' }, ' ♪') : null),
        )
      : [h('li.muted', {}, t('pop.noHistory'))]),
  );
  const notes = $('#pop-notes');
  notes.replaceChildren(...(p.ticket?.notes ?? []).slice(-5).reverse().map((n) => h('li', {}, h('div.muted.small', {}, `${when(n.at)} · ${n.author}`), n.body)));
}

/** "menu:main-menu=3" → "меню 3", "ticket:100461=found" → "обращение 100461 ✔" (an unconfirmed claim: "?"). */
function ivrStep(step, claim) {
  const m = /^([a-z-]+):([^=]*)=?(.*)$/.exec(step);
  if (!m) return step;
  const [, kind, what, result] = m;
  if (kind === 'ticket' && claim && what === claim.number) return `${t('ivr.ticket')} ${what} ?`;
  const label = t(`ivr.${kind}`) === `ivr.${kind}` ? kind : t(`ivr.${kind}`);
  const outcome = result === 'found' || result === 'ok' || result === 'verified' ? '✔' : result === 'unknown' || result === 'failed' ? '✖' : result;
  return kind === 'menu' ? `${label} ${result}` : `${label} ${what} ${outcome}`.trim();
}

async function callApi(path, body = {}) {
  if (!ui.call?.callId) return null;
  try {
    return await api('POST', `/api/calls/${ui.call.callId}${path}`, body);
  } catch (err) {
    toast(`${t('err.generic')}: ${err.message}`);
    return null;
  }
}

function wireControls() {
  $('#answer').addEventListener('click', answer);
  $('#reject').addEventListener('click', () => ui.phone.decline().catch(() => undefined));
  $('#hangup').addEventListener('click', hangup);
  $('#mute').addEventListener('click', () => {
    if (ui.phone.isMuted()) ui.phone.unmute();
    else ui.phone.mute();
    renderPop();
  });
  $('#hold').addEventListener('click', toggleHold);
  $('#claim-confirm').addEventListener('click', async () => {
    const claim = ui.call?.pop?.claim;
    if (!claim || !ui.call.callId) return;
    try {
      const r = await api('POST', `/api/panel/calls/${ui.call.callId}/ticket-claim`, {});
      ui.call.pop = { ...ui.call.pop, claim: null, ticket: { ...(ui.call.pop.ticket ?? {}), id: r.ticket.id, number: r.ticket.number, history: [], notes: [] } };
      toast(t('pop.claimDone', { number: r.ticket.number }));
      renderPop();
      loadTicket(r.ticket.id, r.ticket.number);
    } catch (err) {
      toast(`${t('err.generic')}: ${err.message}`);
    }
  });
  $('#verify').addEventListener('click', async () => {
    // The account the caller names, if the operator typed it: the code is checked against it only.
    const accountId = $('#claim-account').value.trim();
    if (accountId) {
      try {
        await api('PUT', `/api/panel/calls/${ui.call.callId}/account-claim`, { accountId });
      } catch (err) {
        toast(`${t('err.generic')}: ${err.message}`);
        return;
      }
    }
    if (await callApi('/verification')) {
      ui.call.verifying = true;
      renderPop();
    }
  });
  $('#keypad-toggle').addEventListener('click', () => ($('#keypad').hidden = !$('#keypad').hidden));
  $('#keypad').append(...'123456789*0#'.split('').map((d) => h('button.btn.key', { onclick: () => ui.phone.sendDTMF(d).catch(() => undefined) }, d)));
  const consult = (mode) => async () => {
    const operatorId = $('#colleague').value;
    if (operatorId && (await callApi(`/${mode}`, { operatorId }))) {
      ui.call.consult = { operatorId, mode };
      renderPop();
    }
  };
  $('#consult').addEventListener('click', consult('consult'));
  $('#conference').addEventListener('click', consult('conference'));
  $('#consult-complete').addEventListener('click', () => callApi('/consult/complete'));
  $('#consult-cancel').addEventListener('click', async () => {
    if (await callApi('/consult/cancel')) {
      ui.call.consult = null;
      renderPop();
    }
  });
  $('#go-available').addEventListener('click', () => setState('available'));
  $('#go-offline').addEventListener('click', () => setState('offline'));
  $('#pause-reason').addEventListener('change', (e) => e.target.value && setState('paused', e.target.value));
  $('#wrapup').addEventListener('submit', wrapUp);
  $('#ticket-form').addEventListener('submit', saveTicket);
  $('#note-form').addEventListener('submit', addNote);
  // Shortcuts: A answer, H hold, T transfer, X hang up (not while typing).
  document.addEventListener('keydown', (e) => {
    if (e.target.closest?.('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'a' && ui.call?.phase === 'ringing') answer();
    else if (k === 'h' && ui.call?.phase === 'talking') toggleHold();
    else if (k === 't' && ui.call?.phase === 'talking') $('#colleague').focus();
    else if (k === 'x' && ui.call) hangup();
    else return;
    e.preventDefault();
  });
}

async function answer() {
  if (!ui.invited) return;
  ringer.stop();
  await ui.phone.answer().catch((err) => toast(`${t('err.generic')}: ${err.message}`));
}

function hangup() {
  if (ui.call?.phase === 'ringing') ui.phone.decline().catch(() => undefined);
  else ui.phone.hangup().catch(() => undefined);
}

async function toggleHold() {
  const want = !ui.call?.onHold;
  if (await callApi('/hold', { hold: want })) {
    ui.call.onHold = want;
    renderPop();
  }
}

async function setState(state, reason) {
  try {
    await api('PUT', `/api/operators/${ui.me.id}/state`, reason ? { state, reason } : { state });
    ui.me = await api('GET', '/api/panel/me');
    renderState();
  } catch (err) {
    toast(err.code === 'wrap_up_required' ? t('wrap.required') : `${t('err.generic')}: ${err.message}`);
  }
}

function renderState() {
  const me = ui.me;
  if (!me) return;
  $('#state-box').hidden = false;
  const pill = $('#state-pill');
  pill.className = `pill ${me.state}`;
  pill.textContent = t(`state.${me.state}`) + (me.stateReason ? ` · ${t(`reason.${me.stateReason}`)}` : '');
  $('#pause-reason').value = me.state === 'paused' && me.stateReason !== 'missed' ? me.stateReason ?? '' : '';
  $('#go-available').hidden = me.state === 'available' || me.state === 'on_call';
  if (me.wrapUpCallId && !ui.call) show('wrapup');
  else if (!me.wrapUpCallId && !$('#wrapup').hidden) show('idle');
}

function tick() {
  if (ui.me) {
    const until = ui.me.wrapUpUntil ? (new Date(ui.me.wrapUpUntil).getTime() - Date.now()) / 1000 : null;
    $('#state-timer').textContent = ui.me.state === 'wrap_up' && until !== null && until > 0 ? `${duration(until)} ${t('wrap.left')}` : duration((Date.now() - new Date(ui.me.stateSince).getTime()) / 1000);
    $('#wrap-timer').textContent = $('#state-timer').textContent;
  }
  if (ui.call?.phase === 'talking' && ui.call.answeredAt) $('#call-timer').textContent = duration((Date.now() - ui.call.answeredAt) / 1000);
  else if (ui.call?.phase === 'ringing') $('#call-timer').textContent = '';
}

async function wrapUp(e) {
  e.preventDefault();
  const f = e.target;
  const msg = f.querySelector('.error');
  msg.textContent = '';
  const disposition = f.disposition.value || undefined;
  const note = f.note.value.trim() || undefined;
  if (!disposition && !note) {
    msg.textContent = t('wrap.required');
    return;
  }
  try {
    ui.me = await api('POST', '/api/panel/wrap-up', { callId: ui.me.wrapUpCallId, disposition, note });
    f.reset();
    renderState();
    show('idle');
  } catch (err) {
    msg.textContent = `${t('err.generic')}: ${err.message}`;
  }
}

/** For tests and diagnostics: the media actually flowing (RTP counters from WebRTC's own stats). */
window.pbxdesk = {
  ui,
  async mediaStats() {
    const pc = ui.phone?.session?.sessionDescriptionHandler?.peerConnection;
    if (!pc) return null;
    const out = { packetsReceived: 0, packetsSent: 0, iceState: pc.iceConnectionState, pairSucceeded: false };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.packetsReceived += s.packetsReceived ?? 0;
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent += s.packetsSent ?? 0;
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) out.pairSucceeded = true;
    });
    return out;
  },
};

applyI18n(document);
boot().catch((err) => toast(`${t('err.generic')}: ${err.message}`));
