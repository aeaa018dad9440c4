// The wallboard's alerts: what is wrong right now (a caller waiting too long, the service level
// or abandonment of the last minutes, a ticket past its SLA, a pause that lasts), pushed by the
// server (event: alerts on the wallboard's stream) and sounded once when one is raised.
import { t, language } from './i18n.js';
import { api, h, duration } from './common.js';
import { lineName } from './line-names.js';

const state = { active: [], el: null };

/** Mounts the list into `el`, with the alerts open now; then `onAlerts` keeps it current. */
export async function mountAlerts(el) {
  state.el = el;
  injectStyle();
  render();
  const r = await api('GET', '/api/alerts').catch(() => null);
  if (r && !state.pushed) {
    state.active = r.alerts;
    render();
  }
  document.addEventListener('languagechange', render);
  setInterval(render, 1000);
}

/** The stream's `alerts` event: { active, raised } (raised: ids new since the last push). */
export function onAlerts(e) {
  state.pushed = true;
  state.active = e.active;
  render();
  if (e.raised.length) chime();
}

function render() {
  if (!state.el) return;
  const items = [...state.active].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
  state.el.classList.toggle('on', items.length > 0);
  state.el.replaceChildren(
    h('h2', {}, t('al.title'), ' ', h(`span.pill${items.length ? '.alarm' : '.calm'}`, {}, String(items.length))),
    items.length
      ? h('ul.alert-list', {}, ...items.map((a) => h('li', { dataset: { kind: a.kind, line: a.line } }, h('b', {}, t(`al.kind.${a.kind}`)), ' · ', lineName(a.line),
          h('div', {}, about(a)), h('div.muted.small', {}, `${t('al.since')} ${time(a.raisedAt)} · ${duration((Date.now() - Date.parse(a.raisedAt)) / 1000)}`))))
      : h('p.muted', {}, t('al.none')),
  );
}

const pct = (x) => `${Math.round(x * 100)}%`;

/** The figure against its threshold, in the alert's own terms. */
function about(a) {
  const d = a.detail ?? {};
  switch (a.kind) {
    case 'longest_wait':
      return `${duration(a.value)} > ${duration(a.threshold)} · ${t('al.node')} ${d.node ?? a.subject}`;
    case 'service_level':
      return `${pct(a.value)} < ${pct(a.threshold)} (${t('al.calls')}: ${d.offered}, ${d.windowMin} ${t('min')})`;
    case 'abandon_rate':
      return `${pct(a.value)} > ${pct(a.threshold)} (${t('al.calls')}: ${d.offered}, ${d.windowMin} ${t('min')})`;
    case 'pause_too_long':
      return `${d.name ?? a.subject} · ${t(`reason.${d.reason}`)} · ${duration(a.value)} > ${duration(a.threshold)}`;
    case 'sla_breach':
      return `${t('al.ticket')} ${d.number ?? a.subject} · ${t(`al.target.${d.target}`)}`;
    default:
      return `${a.value} / ${a.threshold}`;
  }
}

const time = (iso) => new Date(iso).toLocaleTimeString(language() === 'ru' ? 'ru-RU' : 'en-GB', { hour: '2-digit', minute: '2-digit' });

/** Two short falling tones (WebAudio, like ringer.js: nothing to fetch), distinct from a call's ring. */
function chime() {
  try {
    state.ctx ??= new AudioContext();
    state.ctx.resume().catch(() => undefined);
    const t0 = state.ctx.currentTime;
    [880, 660].forEach((f, i) => {
      const gain = state.ctx.createGain();
      gain.gain.setValueAtTime(0.1, t0 + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, t0 + i * 0.25 + 0.22);
      gain.connect(state.ctx.destination);
      const o = state.ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start(t0 + i * 0.25);
      o.stop(t0 + i * 0.25 + 0.23);
    });
    state.chimes = (state.chimes ?? 0) + 1;
    document.body.dataset.alertChimes = String(state.chimes);
  } catch {
    // No audio output: the list still shows the alert.
  }
}

/** The list's own stylesheet (the pages' CSP allows no inline styles). */
function injectStyle() {
  if (document.getElementById('alerts-style')) return;
  document.head.append(h('link', { id: 'alerts-style', rel: 'stylesheet', href: '/panel/assets/supervisor-alerts.css' }));
}
