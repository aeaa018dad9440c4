// The operator panel's "my evaluations": the signed-in operator's own QA evaluations (the API
// gives no one else's), each opened to its answers, remarks and history, and acknowledged or
// disputed once with a comment (a dispute goes to a supervisor other than the evaluator).
// Mounted by operator.html on its own, once the desk shows (operator.js signs in).
import { t } from './i18n.js';
import { api, $, h, when, duration, toast } from './common.js';
// The answers table and the styles are the supervisor scorecard's (it mounts itself only on the supervisor page).
import { answersList, styles } from './supervisor-qa.js';

const my = { rows: [], open: null };

async function start() {
  const desk = $('#desk');
  await new Promise((resolve) => {
    if (!desk.hidden) return resolve();
    new MutationObserver((_, o) => !desk.hidden && (o.disconnect(), resolve())).observe(desk, { attributes: true });
  });
  styles();
  document.addEventListener('languagechange', () => render().catch(() => undefined));
  // Evaluations are not pushed (they come days after a call): read again when the panel is looked at.
  document.addEventListener('visibilitychange', () => !document.hidden && load().catch(() => undefined));
  await load();
}

async function load() {
  my.rows = (await api('GET', '/api/qa/my-evaluations?limit=20')).evaluations;
  await render();
}

async function render() {
  const box = $('#my-qa');
  box.hidden = false;
  const detail = my.open ? await api('GET', `/api/qa/evaluations/${my.open}`) : null;
  box.replaceChildren(
    h('h3', {}, t('qa.my')),
    my.rows.length
      ? h('ul.history.qa-mine', {}, ...my.rows.map((e) =>
          h('li', { dataset: { evaluation: e.id } },
            h('button.btn.small.ghost', { onclick: () => toggle(e.id) }, `${when(e.callAt)} · `, h('b', {}, `${e.score}%`)),
            e.criticalFailed ? h('span.pill.qa-critical', {}, t('qa.criticalFailed')) : null,
            ' ', h('span.muted.small', {}, t(`qa.state.${e.resolution ?? e.answer ?? 'new'}`), e.supersededBy ? ` · ${t('qa.superseded')}` : ''),
            detail?.id === e.id ? view(detail) : null)))
      : h('p.muted', {}, t('qa.myNone')),
  );
}

function toggle(id) {
  my.open = my.open === id ? null : id;
  render().catch((x) => toast(`${t('err.generic')}: ${x.message}`));
}

function view(e) {
  const comment = h('textarea', { name: 'qa-comment', rows: 2, maxlength: 2000, placeholder: t('qa.disputeWhy') });
  const act = (kind) => async () => {
    const text = comment.value.trim();
    try {
      await api('POST', `/api/qa/evaluations/${e.id}/${kind}`, kind === 'dispute' || text ? { comment: text } : {});
      await load();
    } catch (x) {
      toast(`${t('err.generic')}: ${x.message}`);
    }
  };
  const canAnswer = !e.answer && !e.supersededBy;
  return h('div.qa-detail', {},
    h('div.muted.small', {}, `${e.form.name} · ${t('qa.evaluator')}: ${e.evaluatorName ?? '—'}`),
    answersList(e),
    e.comment ? h('p', {}, e.comment) : null,
    e.remarks.length ? h('ul.qa-remarks', {}, ...e.remarks.map((r) => h('li', {}, h('b', {}, duration(r.atMs / 1000)), ' ', r.text))) : null,
    e.events.length ? h('ul.history', {}, ...e.events.map((x) => h('li', {}, `${when(x.at)} · ${t(`qa.state.${x.kind}`)}${x.comment ? ` — ${x.comment}` : ''}`))) : null,
    canAnswer ? h('div', {}, comment, h('div.row', {}, h('button.btn.small', { onclick: act('acknowledge') }, t('qa.acknowledge')), h('button.btn.small.danger', { onclick: act('dispute') }, t('qa.dispute')))) : null,
  );
}

start().catch((x) => toast(`${t('err.generic')}: ${x.message}`));
