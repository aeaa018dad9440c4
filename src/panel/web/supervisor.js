// Supervisor pages: the live wallboard (pushed by the server on every change, no polling), calls
// in progress with listen/whisper/barge, recordings (search, waveform player, audited playback,
// download with a reason) and reports (per operator, per line, charts, CSV).
import { t, applyI18n, language } from './i18n.js';
import { api, currentSession, signInForm, signOut, $, h, duration, when, langToggle, stream, toast } from './common.js';
import { mountAlerts, onAlerts } from './supervisor-alerts.js';
import { fillLineSelect, lineName, loadLines, rememberLines } from './line-names.js';

const ui = { board: null, boardAt: 0, operators: [], tab: 'wallboard' };

async function boot() {
  langToggle();
  const s = (await currentSession()) ?? (await signInForm());
  $('#who').textContent = s.operator.name;
  $('#signout').hidden = false;
  $('#signout').addEventListener('click', signOut);
  if (!s.operator.supervisor) {
    toast(t('err.generic'));
    return;
  }
  $('#tabs').hidden = false;
  ui.operators = (await api('GET', '/api/operators')).operators;
  await loadLines();
  fillLineSelect($('#rec-search').line, true);
  $('#rec-search').operator.append(...ui.operators.map((o) => h('option', { value: o.id }, o.name)));
  void mountAlerts($('#alerts'));
  stream('/api/supervisor/events', {
    alerts: onAlerts,
    wallboard: (b) => {
      rememberLines(b.lines);
      ui.board = b;
      ui.boardAt = Date.now();
      renderBoard();
      if (ui.tab === 'calls') loadCalls();
    },
  });
  wireRecordings();
  wireReports();
  window.addEventListener('hashchange', route);
  document.addEventListener('languagechange', () => {
    fillLineSelect($('#rec-search').line, true);
    renderBoard();
    route();
  });
  setInterval(() => {
    $('#clock').textContent = new Date().toLocaleTimeString(language() === 'ru' ? 'ru-RU' : 'en-GB');
    if (ui.tab === 'wallboard') renderBoard();
  }, 1000);
  route();
}

function route() {
  const hash = location.hash.slice(1) || 'wallboard';
  const [tab, arg] = hash.split('=');
  ui.tab = tab === 'recording' ? 'recordings' : tab;
  for (const s of document.querySelectorAll('.page')) s.hidden = s.id !== ui.tab;
  for (const a of document.querySelectorAll('.tabs a')) a.classList.toggle('active', a.dataset.tab === ui.tab);
  if (ui.tab === 'calls') loadCalls();
  if (tab === 'recording' && arg) play(arg);
}

// ---- wallboard ------------------------------------------------------------------------------

const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

function renderBoard() {
  const b = ui.board;
  if (!b) return;
  const drift = (Date.now() - ui.boardAt) / 1000;
  $('#board').replaceChildren(
    ...b.lines.map((l) => {
      const longest = l.longestWaitSec === null ? null : l.longestWaitSec + drift;
      return h(
        'div.card.line',
        { dataset: { line: l.line } },
        h('h2', {}, lineName(l.line, l.name)),
        h(
          'div.tiles',
          {},
          tile('wb.waiting', l.waiting, 'waiting', l.waiting > 0 && longest > (l.serviceLevelSec ?? b.serviceLevelSec)),
          tile('wb.longest', longest === null ? '—' : duration(longest), 'longest', longest > (l.serviceLevelSec ?? b.serviceLevelSec)),
          tile('wb.callbacks', l.callbacksPending, 'callbacks'),
          tile('wb.sl', pct(l.serviceLevel), 'sl', l.serviceLevel !== null && l.serviceLevel < 0.8, `≤ ${(l.serviceLevelSec ?? b.serviceLevelSec)} ${t('sec')}`),
          tile('wb.abandon', pct(l.abandonRate), 'abandon', l.abandonRate !== null && l.abandonRate > 0.05),
          tile('wb.aht', l.avgHandleSec === null ? '—' : duration(l.avgHandleSec), 'aht'),
        ),
        h('h3', {}, t('wb.operators')),
        h(
          'table',
          {},
          h('tbody', {}, ...(l.operators.length ? [] : [h('tr', {}, h('td.muted', {}, '—'))]), ...l.operators.map((o) =>
            h('tr', {}, h('td', {}, o.name), h('td', {}, h(`span.pill.${o.state}`, {}, t(`state.${o.state}`) + (o.reason ? ` · ${t(`reason.${o.reason}`)}` : ''))),
              h('td.muted', {}, duration((Date.now() - new Date(o.since).getTime()) / 1000))),
          )),
        ),
      );
    }),
  );
}

function tile(key, value, name, alert = false, sub = '') {
  return h(`div.tile${alert ? '.alert' : ''}`, { dataset: { tile: name } }, h('div.k', {}, t(key)), h('div.v', {}, String(value)), sub ? h('div.muted.small', {}, sub) : null);
}

// ---- live calls -------------------------------------------------------------------------------

async function loadCalls() {
  const r = await api('GET', '/api/supervisor/calls').catch(() => ({ calls: [] }));
  $('#live-calls').replaceChildren(
    ...(r.calls.length
      ? r.calls.map((c) =>
          h('tr', {}, h('td', {}, c.callerNumber ?? '—'), h('td', {}, c.line ? lineName(c.line) : '—'), h('td', {}, c.status), h('td', {}, c.operatorName ?? '—'),
            h('td.muted', {}, when(c.answeredAt ?? c.enteredAt)),
            h('td', {}, ...(c.status === 'bridged' ? ['listen', 'whisper', 'barge'].map((m) => h('button.btn.small', { onclick: () => monitor(c.id, m) }, t(`live.${m}`))) : []))),
        )
      : [h('tr', {}, h('td.muted', { colspan: 6 }, t('live.none')))]),
  );
}

async function monitor(callId, mode) {
  try {
    await api('POST', `/api/supervisor/calls/${callId}/monitor`, { mode });
    toast(`${t(`live.${mode}`)} ☎`);
  } catch (err) {
    toast(`${t('err.generic')}: ${err.message}`);
  }
}

// ---- recordings -------------------------------------------------------------------------------

function wireRecordings() {
  $('#rec-search').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const q = new URLSearchParams();
    if (f.from.value) q.set('from', new Date(f.from.value).toISOString());
    if (f.to.value) q.set('to', new Date(new Date(f.to.value).getTime() + 86_400_000).toISOString());
    for (const k of ['line', 'operator', 'caller', 'ticket', 'minDuration']) if (f[k].value) q.set(k, f[k].value.trim());
    if (f.verified.checked) q.set('verified', 'true');
    try {
      ui.operators = (await api('GET', '/api/operators')).operators;
      const r = await api('GET', `/api/recordings?${q}`);
      const name = (id) => ui.operators.find((o) => o.id === id)?.name ?? '—';
      $('#rec-results').replaceChildren(
        ...(r.recordings.length
          ? r.recordings.map((x) =>
              h('tr', { dataset: { recording: x.id } }, h('td', {}, when(x.startedAt)), h('td', {}, x.callerNumber ?? '—'), h('td', {}, x.line ? lineName(x.line) : '—'),
                h('td', {}, name(x.operatorId)), h('td', {}, duration((x.durationMs ?? 0) / 1000)),
                h('td', {}, h('button.btn.small.play', { onclick: () => (location.hash = `recording=${x.id}`) }, t('rec.play')))),
            )
          : [h('tr', {}, h('td.muted', { colspan: 6 }, t('rec.none')))]),
      );
    } catch (err) {
      toast(`${t('err.generic')}: ${err.message}`);
    }
  });
  const audio = $('#audio');
  $('#speed').addEventListener('change', (e) => (audio.playbackRate = Number(e.target.value)));
  $('#waveform').addEventListener('click', (e) => {
    const r = e.target.getBoundingClientRect();
    if (audio.duration) audio.currentTime = ((e.clientX - r.left) / r.width) * audio.duration;
  });
  audio.addEventListener('timeupdate', drawWave);
  $('#download').addEventListener('click', () => {
    const reason = $('#dl-reason').value.trim();
    $('#dl-error').textContent = reason.length < 3 ? t('rec.reasonRequired') : '';
    if (reason.length < 3 || !ui.playing) return;
    const a = h('a', { href: `/api/recordings/${ui.playing.id}/audio?download=true&reason=${encodeURIComponent(reason)}`, download: '' });
    document.body.append(a);
    a.click();
    a.remove();
  });
}

async function play(id) {
  try {
    const r = await api('GET', `/api/recordings/${id}`);
    ui.playing = r;
    $('#player').hidden = false;
    $('#player-title').textContent = when(r.startedAt);
    $('#player-meta').textContent = `${duration((r.durationMs ?? 0) / 1000)} · ${r.codec ?? r.format} · sha256 ${r.sha256?.slice(0, 12) ?? '—'}…`;
    const audio = $('#audio');
    // Playback streams through the audited audio route (ranges are audited as they are fetched).
    audio.src = `/api/recordings/${id}/audio`;
    audio.playbackRate = Number($('#speed').value);
    drawWave();
    await audio.play().catch(() => undefined);
  } catch (err) {
    toast(`${t('err.generic')}: ${err.message}`);
  }
}

/** The waveform from the peaks stored at archiving, with what has been played shaded. */
function drawWave() {
  const c = $('#waveform');
  const g = c.getContext('2d');
  const peaks = ui.playing?.peaks ?? [];
  const audio = $('#audio');
  const played = audio.duration ? audio.currentTime / audio.duration : 0;
  g.clearRect(0, 0, c.width, c.height);
  const w = c.width / Math.max(1, peaks.length);
  peaks.forEach((p, i) => {
    const hgt = Math.max(2, p * (c.height - 8));
    g.fillStyle = i / peaks.length < played ? '#2f6fed' : '#b9c7de';
    g.fillRect(i * w, (c.height - hgt) / 2, Math.max(1, w - 1), hgt);
  });
}

// ---- reports ----------------------------------------------------------------------------------

function wireReports() {
  const f = $('#rep-form');
  const today = new Date();
  f.to.value = today.toISOString().slice(0, 10);
  f.from.value = new Date(today.getTime() - 6 * 86_400_000).toISOString().slice(0, 10);
  const range = () => {
    const q = new URLSearchParams({ from: new Date(f.from.value).toISOString(), to: new Date(new Date(f.to.value).getTime() + 86_400_000).toISOString() });
    $('#csv-operators').href = `/api/supervisor/reports/operators?${q}&format=csv`;
    $('#csv-lines').href = `/api/supervisor/reports/lines?${q}&format=csv`;
    return q;
  };
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = range();
    const [ops, lines] = await Promise.all([api('GET', `/api/supervisor/reports/operators?${q}`), api('GET', `/api/supervisor/reports/lines?${q}`)]);
    const pause = (p) => Math.round(Object.values(p).reduce((a, b) => a + b, 0) / 60);
    $('#rep-operators').replaceChildren(
      h('thead', {}, h('tr', {}, ...['rec.operator', 'rep.handled', 'rep.asa', 'rep.aht', 'rep.missed', 'rep.pause', 'rep.csat'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, ...ops.operators.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, o.handled), h('td', {}, o.avgAnswerSec ?? '—'), h('td', {}, o.avgHandleSec ?? '—'), h('td', {}, o.missed),
        h('td', { title: JSON.stringify(o.pauseSecByReason) }, pause(o.pauseSecByReason)), h('td', {}, o.satisfaction ?? '—')))),
    );
    const days = language() === 'ru' ? ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    $('#rep-lines').replaceChildren(
      ...lines.lines.map((l) =>
        h('div', { dataset: { line: l.line } }, h('h3', {}, lineName(l.line, l.name)),
          h('div.tiles', {}, tile('rep.offered', l.offered, 'offered'), tile('wb.sl', pct(l.serviceLevel), 'sl'), tile('wb.abandon', pct(l.abandonRate), 'abandon')),
          h('div.muted.small', {}, t('rep.byHour')), chart(l.byHour, l.byHour.map((_, i) => String(i))),
          h('div.muted.small', {}, t('rep.byWeekday')), chart(l.byWeekday, days)),
      ),
    );
  });
  range();
}

function chart(values, labels) {
  const max = Math.max(1, ...values);
  // Heights through the CSSOM: the pages' CSP allows no inline style attributes.
  const bar = (v, i) => {
    const el = h('div', { title: `${labels[i]}: ${v}` });
    el.style.height = `${(v / max) * 100}%`;
    return el;
  };
  return h('div', {}, h('div.chart', {}, ...values.map(bar)),
    h('div.chart-labels', {}, ...labels.map((l) => h('span', {}, l))));
}

applyI18n(document);
boot().catch((err) => toast(`${t('err.generic')}: ${err.message}`));
