// QA scorecards in the supervisor pages. Under the recordings player: the scorecard of the call
// being played (the form's sections and criteria, comments, and remarks pinned to the player's
// current time, shown as marks under the waveform), the call's evaluations, and corrections.
// The "QA" tab: open disputes (upheld or corrected by a supervisor other than the evaluator),
// recent evaluations, and the mean scores per operator, line and criterion with CSV.
// Mounted by supervisor.html on its own; it reads the player supervisor.js drives (#audio).
import { t } from './i18n.js';
import { api, currentSession, $, h, when, duration, toast } from './common.js';
import { lineName } from './line-names.js';

const qa = { me: null, recording: null, forms: [], form: null, pins: [], correcting: null, detail: null };

const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100) / 100}%`);
const clock = (ms) => duration(ms / 1000);
const stateOf = (e) => e.resolution ?? e.answer ?? 'new';
const err = (e) => toast(`${t('err.generic')}: ${e.message}`);
/** replaceChildren without the nulls of optional parts (it would show them as "null"). */
const fill = (el, ...parts) => el.replaceChildren(...parts.filter((p) => p !== null && p !== undefined && p !== false));

async function start() {
  // supervisor.js signs in; start once its tabs show (a signed-in supervisor).
  await new Promise((resolve) => {
    const tabs = $('#tabs');
    if (!tabs.hidden) return resolve();
    new MutationObserver((_, o) => !tabs.hidden && (o.disconnect(), resolve())).observe(tabs, { attributes: true });
  });
  qa.me = (await currentSession())?.operator ?? null;
  styles();
  window.addEventListener('hashchange', route);
  document.addEventListener('languagechange', () => {
    renderScorecard();
    if (location.hash === '#qa') loadQaPage();
  });
  $('#audio').addEventListener('loadedmetadata', renderMarks);
  route();
}

function route() {
  const [tab, arg] = location.hash.slice(1).split('=');
  if (tab === 'recording' && arg) loadScorecard(arg).catch(err);
  if (tab === 'qa') loadQaPage().catch(err);
}

// ---- the scorecard of the call being played ---------------------------------------------------

async function loadScorecard(recordingId) {
  const rec = await api('GET', `/api/recordings/${recordingId}`);
  if (qa.correcting && qa.correcting.callId !== rec.callId) qa.correcting = null;
  qa.recording = rec;
  qa.pins = [];
  qa.forms = (await api('GET', '/api/qa/forms')).forms;
  const formId = qa.correcting?.formId ?? qa.form?.id ?? qa.forms.at(-1)?.id;
  qa.form = qa.correcting ? qa.correcting.form : formId ? await api('GET', `/api/qa/forms/${formId}`) : null;
  renderScorecard();
}

async function renderScorecard() {
  const card = $('#qa-score');
  const rec = qa.recording;
  if (!card || !rec) return;
  card.hidden = false;
  renderMarks();
  if (!rec.callId) return card.replaceChildren(h('h2', {}, t('qa.scorecard')), h('p.muted', {}, t('qa.noCall')));
  const existing = (await api('GET', `/api/qa/evaluations?call=${rec.callId}`)).evaluations;
  const c = qa.correcting;
  fill(card,
    h('h2', {}, t('qa.scorecard')),
    c ? h('p.banner', {}, t('qa.correcting', { score: c.score })) : null,
    qa.forms.length && !c
      ? h('label', {}, h('span', {}, t('qa.form')),
          h('select', { name: 'form', onchange: async (e) => { qa.form = await api('GET', `/api/qa/forms/${e.target.value}`); renderScorecard(); } },
            ...qa.forms.map((f) => h('option', { value: f.id, selected: f.id === qa.form?.id }, `${f.name} · v${f.currentVersion}`))))
      : null,
    qa.form ? formFields(qa.form.definition, c?.answers) : h('p.muted', {}, t('qa.noForms')),
    qa.form ? h('label', {}, h('span', {}, t('qa.overall')), h('textarea', { name: 'comment', rows: 2, maxlength: 4000 })) : null,
    qa.form ? remarksBox() : null,
    // Only a correction that resolves a dispute says why (the API refuses it on anything else).
    c?.resolving ? h('label', {}, h('span', {}, t('qa.resolutionComment')), h('input', { name: 'resolutionComment', maxlength: 2000 })) : null,
    qa.form ? h('button.btn.primary', { type: 'submit' }, t(c ? 'qa.submitCorrection' : 'qa.submit')) : null,
    h('p.error', { role: 'alert' }),
    h('h3', {}, t('qa.existing')),
    evaluationsTable(existing),
  );
  card.onsubmit = submit;
}

function formFields(def, prefill = []) {
  const given = new Map(prefill.map((a) => [a.criterionId, a]));
  return h('div.qa-form', {}, ...def.sections.map((s) =>
    h('fieldset', {}, h('legend', {}, s.title, s.weight !== 1 ? h('span.muted', {}, ` ×${s.weight}`) : null),
      ...s.criteria.map((c) => {
        const was = given.get(c.id);
        const choices = c.scale.type === 'yesno' ? [['true', t('qa.yes')], ['false', t('qa.no')]] : Array.from({ length: c.scale.max + 1 }, (_, i) => [String(i), String(i)]);
        if (c.naAllowed) choices.push(['null', t('qa.na')]);
        return h('div.qa-criterion', { dataset: { criterion: c.id } },
          h('div', {}, h('b', {}, c.title), c.critical ? h('span.pill.qa-critical', {}, t('qa.critical')) : null, c.weight !== 1 ? h('span.muted', {}, ` ×${c.weight}`) : null,
            c.description ? h('div.muted.small', {}, c.description) : null),
          h('div.qa-choices', {}, ...choices.map(([v, label]) =>
            h('label.check', {}, h('input', { type: 'radio', name: `c:${c.id}`, value: v, checked: was !== undefined && String(was.value) === v }), label))),
          c.comments === false ? null : h('input', { name: `comment:${c.id}`, maxlength: 2000, placeholder: t('qa.comment'), value: was?.comment ?? '' }));
      }))));
}

function remarksBox() {
  const list = h('ul.qa-remarks', {}, ...qa.pins.map((p, i) =>
    h('li', {}, h('button.btn.small.ghost', { type: 'button', onclick: () => seek(p.atMs) }, clock(p.atMs)), ' ', p.text,
      h('button.btn.small.ghost', { type: 'button', onclick: () => { qa.pins.splice(i, 1); renderScorecard(); } }, '×'))));
  const text = h('input', { name: 'remark', maxlength: 1000, placeholder: t('qa.remarkText'), size: 40 });
  const pin = () => {
    const v = text.value.trim();
    if (!v) return text.focus();
    qa.pins.push({ atMs: Math.round($('#audio').currentTime * 1000), text: v });
    qa.pins.sort((a, b) => a.atMs - b.atMs);
    renderScorecard();
  };
  return h('div', {}, h('h3', {}, t('qa.remarks')), list,
    h('div.row.filters', {}, text, h('button.btn', { type: 'button', id: 'qa-pin', onclick: pin }, t('qa.pin'))));
}

/** Marks under the waveform where remarks are pinned: a click plays from there. */
function renderMarks() {
  let bar = $('#qa-marks');
  if (!bar) {
    bar = h('div.qa-marks', { id: 'qa-marks' });
    $('#waveform').after(bar);
  }
  const total = qa.recording?.durationMs || ($('#audio').duration || 0) * 1000;
  bar.replaceChildren(...(total ? qa.pins : []).map((p) => {
    const m = h('button.qa-mark', { type: 'button', title: `${clock(p.atMs)} ${p.text}`, onclick: () => seek(p.atMs) }, '▲');
    m.style.left = `${Math.min(100, (p.atMs / total) * 100)}%`;
    return m;
  }));
}

function seek(ms) {
  $('#audio').currentTime = ms / 1000;
}

async function submit(e) {
  e.preventDefault();
  const f = e.target;
  const def = qa.form.definition;
  const answers = [];
  for (const c of def.sections.flatMap((s) => s.criteria)) {
    const v = f.querySelector(`input[name="c:${c.id}"]:checked`)?.value;
    if (v === undefined) {
      f.querySelector('.error').textContent = `${t('qa.unanswered')}: ${c.title}`;
      return;
    }
    const comment = f.querySelector(`input[name="comment:${c.id}"]`)?.value.trim();
    answers.push({ criterionId: c.id, value: v === 'null' ? null : v === 'true' ? true : v === 'false' ? false : Number(v), ...(comment ? { comment } : {}) });
  }
  const body = { answers, recordingId: qa.recording.id, remarks: qa.pins, ...(f.comment.value.trim() ? { comment: f.comment.value.trim() } : {}) };
  try {
    const c = qa.correcting;
    const saved = c
      ? await api('POST', `/api/qa/evaluations/${c.id}/correct`, { ...body, ...(c.resolving ? { resolutionComment: f.resolutionComment.value.trim() } : {}) })
      : await api('POST', '/api/qa/evaluations', { ...body, callId: qa.recording.callId, formId: qa.form.id });
    qa.correcting = null;
    qa.pins = [];
    toast(t('qa.saved', { score: saved.score }));
    await loadScorecard(qa.recording.id);
  } catch (x) {
    f.querySelector('.error').textContent = x.message;
  }
}

function evaluationsTable(rows) {
  if (!rows.length) return h('p.muted', {}, t('qa.none'));
  return h('table.qa-evaluations', {},
    h('thead', {}, h('tr', {}, ...['qa.at', 'qa.operator', 'qa.score', 'qa.evaluator', 'live.status', ''].map((k) => h('th', {}, k ? t(k) : '')))),
    h('tbody', {}, ...rows.map((e) =>
      h('tr', { dataset: { evaluation: e.id } }, h('td', {}, when(e.createdAt)), h('td', {}, e.operatorName),
        h('td', {}, h('b', {}, pct(e.score)), e.criticalFailed ? h('span.pill.qa-critical', {}, t('qa.criticalFailed')) : null),
        h('td', {}, e.evaluatorName ?? e.evaluator),
        h('td', {}, t(`qa.state.${stateOf(e)}`), e.supersededBy ? h('div.muted.small', {}, t('qa.superseded')) : null, e.supersedesId ? h('div.muted.small', {}, t('qa.correction')) : null),
        h('td', {}, h('button.btn.small', { onclick: () => showDetail(e.id) }, t('qa.open')))))));
}

// ---- the QA tab -------------------------------------------------------------------------------

async function loadQaPage() {
  const page = $('#qa');
  const [disputes, recent] = await Promise.all([api('GET', '/api/qa/evaluations?disputes=open'), api('GET', '/api/qa/evaluations?limit=30')]);
  const today = new Date();
  const rep = h('form.filters', { id: 'qa-report' },
    h('label', {}, h('span', {}, t('rep.from')), h('input', { type: 'date', name: 'from', value: new Date(today.getTime() - 29 * 86_400_000).toISOString().slice(0, 10) })),
    h('label', {}, h('span', {}, t('rep.to')), h('input', { type: 'date', name: 'to', value: today.toISOString().slice(0, 10) })),
    h('button.btn.primary', { type: 'submit' }, t('rep.show')));
  const out = h('div', { id: 'qa-report-out' });
  rep.onsubmit = (e) => {
    e.preventDefault();
    report(rep, out).catch(err);
  };
  page.replaceChildren(
    h('div.card', { id: 'qa-detail', hidden: true }),
    h('div.card', {}, h('h2', {}, t('qa.disputes')), disputes.evaluations.length ? evaluationsTable(disputes.evaluations) : h('p.muted', {}, t('qa.noDisputes'))),
    h('div.card', {}, h('h2', {}, t('qa.evaluations')), evaluationsTable(recent.evaluations)),
    h('div.card', {}, h('h2', {}, t('qa.reports')), rep, out),
  );
  await report(rep, out);
}

async function report(form, out) {
  const q = new URLSearchParams({ from: new Date(form.from.value).toISOString(), to: new Date(new Date(form.to.value).getTime() + 86_400_000).toISOString() });
  const [ops, lines, crit] = await Promise.all(['operators', 'lines', 'criteria'].map((k) => api('GET', `/api/qa/reports/${k}?${q}`)));
  const table = (kind, title, head, rows) => h('div', { dataset: { report: kind } },
    h('h3', {}, t(title), ' ', h('a.btn.small', { href: `/api/qa/reports/${kind}?${q}&format=csv` }, 'CSV')),
    h('table', {}, h('thead', {}, h('tr', {}, ...head.map((k) => h('th', {}, t(k))))), h('tbody', {}, ...rows)));
  out.replaceChildren(
    table('operators', 'qa.byOperator', ['qa.operator', 'qa.count', 'qa.mean', 'qa.criticalCount'],
      ops.rows.map((r) => h('tr', {}, h('td', {}, r.name), h('td', {}, r.evaluations), h('td', {}, pct(r.meanScore)), h('td', {}, r.criticalFailed)))),
    table('lines', 'qa.byLine', ['rec.line', 'qa.count', 'qa.mean', 'qa.criticalCount'],
      lines.rows.map((r) => h('tr', {}, h('td', {}, r.line ? lineName(r.line) : '—'), h('td', {}, r.evaluations), h('td', {}, pct(r.meanScore)), h('td', {}, r.criticalFailed)))),
    table('criteria', 'qa.byCriterion', ['qa.form', 'qa.criterion', 'qa.answered', 'qa.mean', 'qa.criticalCount'],
      crit.rows.map((r) => h('tr', {}, h('td', {}, r.formName), h('td', {}, r.title), h('td', {}, r.answered), h('td', {}, pct(r.meanScore)), h('td', {}, r.criticalFailed)))),
  );
}

/** One evaluation: answers, remarks, history; a disputed one can be upheld or corrected (not by its evaluator). */
async function showDetail(id) {
  const e = await api('GET', `/api/qa/evaluations/${id}`);
  let box = $('#qa-detail');
  if (!box || box.closest('.page')?.hidden) {
    location.hash = 'qa';
    await loadQaPage();
    box = $('#qa-detail');
  }
  const mine = qa.me && e.evaluator === `operator:${qa.me.id}`;
  const open = e.answer === 'disputed' && !e.resolution && !e.supersededBy;
  const comment = h('input', { name: 'resolution', maxlength: 2000, size: 50, placeholder: t('qa.comment') });
  const uphold = async () => {
    try {
      await api('POST', `/api/qa/evaluations/${id}/uphold`, { comment: comment.value.trim() });
      await loadQaPage();
      await showDetail(id);
    } catch (x) {
      err(x);
    }
  };
  const correct = () => {
    qa.correcting = { id, callId: e.callId, formId: e.formId, form: e.form, answers: e.answers, score: e.score, resolving: open };
    if (e.recordingId) location.hash = `recording=${e.recordingId}`;
  };
  box.hidden = false;
  fill(box,
    h('h2', {}, `${t('qa.scorecard')} · ${e.operatorName} · `, h('b', {}, pct(e.score)), e.criticalFailed ? h('span.pill.qa-critical', {}, t('qa.criticalFailed')) : null),
    h('p.muted', {}, `${t('qa.call')} ${when(e.callAt)} · ${e.form.name} v${e.formVersion} · ${t('qa.evaluator')}: ${e.evaluatorName ?? e.evaluator}`,
      e.recordingId ? h('a.btn.small', { href: `#recording=${e.recordingId}` }, t('rec.play')) : null),
    answersList(e),
    e.comment ? h('p', {}, h('b', {}, `${t('qa.overall')}: `), e.comment) : null,
    e.remarks.length ? h('ul.qa-remarks', {}, ...e.remarks.map((r) => h('li', {}, h('b', {}, clock(r.atMs)), ' ', r.text))) : null,
    h('h3', {}, t('qa.history')),
    h('ul.history', {}, ...e.events.map((x) => h('li', {}, `${when(x.at)} · ${t(`qa.state.${x.kind}`)} · ${x.actorName ?? x.actor}${x.comment ? ` — ${x.comment}` : ''}`))),
    open && mine ? h('p.muted', {}, t('qa.ownEvaluation')) : null,
    open && !mine ? h('div.row.filters', {}, comment, h('button.btn', { onclick: uphold }, t('qa.uphold')), h('button.btn.primary', { onclick: correct }, t('qa.correct'))) : null,
    !open && !e.supersededBy ? h('div.row', {}, h('button.btn.small', { onclick: correct }, t('qa.correct'))) : null,
  );
  box.scrollIntoView({ block: 'start' });
}

export function answersList(e) {
  const value = (a) => (a.value === null ? t('qa.na') : a.value === true ? t('qa.yes') : a.value === false ? t('qa.no') : String(a.value));
  return h('table.qa-answers', {}, h('tbody', {}, ...e.answers.map((a) =>
    h('tr', { dataset: { criterion: a.criterionId } }, h('td', {}, a.title, a.critical ? h('span.pill.qa-critical', {}, t('qa.critical')) : null),
      h('td', {}, h(a.failed ? 'b.error' : 'b', {}, value(a))), h('td.muted', {}, a.comment ?? '')))));
}

/** This module's styles as a constructed sheet (the pages' CSP allows no inline <style>). */
export function styles() {
  if (document.adoptedStyleSheets.some((s) => s.qa)) return;
  const sheet = new CSSStyleSheet();
  sheet.qa = true;
  sheet.replaceSync(`
    .qa-form fieldset { border: 1px solid #dde3ec; border-radius: 8px; margin: 0 0 10px; padding: 8px 12px; }
    .qa-criterion { display: grid; grid-template-columns: minmax(220px, 2fr) auto minmax(160px, 1fr); gap: 4px 14px; align-items: center; padding: 6px 0; border-top: 1px dashed #e6eaf0; }
    .qa-choices { display: flex; gap: 10px; flex-wrap: wrap; } .qa-choices label.check { display: inline-flex; gap: 4px; align-items: center; }
    .pill.qa-critical { background: #c0392b; color: #fff; margin-left: 6px; font-size: 11px; }
    .qa-marks { position: relative; height: 16px; } .qa-mark { position: absolute; transform: translateX(-50%); border: 0; background: none; color: #c0392b; cursor: pointer; padding: 0; font-size: 13px; }
    .qa-remarks { list-style: none; padding: 0; } .qa-remarks li { margin: 3px 0; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

// The operator panel imports answersList and styles from here: the scorecard mounts only on the supervisor page.
if (document.body.classList.contains('supervisor')) start().catch(err);
