// The operator panel's call side beside the pop: the call's ticket (subject, category,
// priority, status; an internal note), the colleagues a call can be handed to, and the canned
// phrases. Split from operator.js for its length; `ui` is that panel's state.
import { t, language } from './i18n.js';
import { api, $, h, toast } from './common.js';
import { lineName } from './line-names.js';

/** `renderPop`: draws the pop again (a note added shows there too). */
export function callTicketSide(ui, { renderPop }) {
  async function loadTicket(id, number) {
    ui.ticket = null;
    $('#ticket-form').hidden = true;
    $('#note-form').hidden = true;
    $('#ticket-empty').hidden = Boolean(id);
    $('#ticket-number').textContent = number ? `№ ${number}` : '';
    if (!id) return;
    try {
      const tk = await api('GET', `/api/tickets/${id}`);
      ui.ticket = tk;
      $('#ticket-number').textContent = `№ ${tk.number}`;
      const f = $('#ticket-form');
      f.subject.value = tk.subject ?? '';
      f.category.value = tk.category ?? '';
      f.priority.value = tk.priority;
      f.status.value = tk.status;
      f.hidden = false;
      $('#note-form').hidden = false;
    } catch (err) {
      // A colleague of another line, rung for a consultation, sees the pop but not the ticket
      // itself until the call (and so the ticket) is handed to them.
      if (err.status !== 403) toast(`${t('err.generic')}: ${err.message}`);
    }
  }

  async function saveTicket(e) {
    e.preventDefault();
    if (!ui.ticket) return;
    const f = e.target;
    const patch = {};
    for (const k of ['subject', 'category', 'priority', 'status']) if (f[k].value && f[k].value !== (ui.ticket[k] ?? '')) patch[k] = f[k].value;
    if (!Object.keys(patch).length) return;
    try {
      ui.ticket = { ...ui.ticket, ...(await api('PATCH', `/api/tickets/${ui.ticket.id}`, patch)) };
    } catch (err) {
      toast(`${t('err.generic')}: ${err.message}`);
    }
  }

  async function addNote(e) {
    e.preventDefault();
    const body = e.target.body.value.trim();
    if (!body || !ui.ticket) return;
    try {
      const r = await api('POST', `/api/tickets/${ui.ticket.id}/notes`, { body });
      e.target.reset();
      if (ui.call?.pop?.ticket) {
        ui.call.pop.ticket.notes = r.notes;
        renderPop();
      }
    } catch (err) {
      toast(`${t('err.generic')}: ${err.message}`);
    }
  }

  async function loadColleagues() {
    const r = await api('GET', '/api/panel/colleagues').catch(() => ({ colleagues: [] }));
    ui.colleagues = r.colleagues;
    $('#colleague').replaceChildren(
      h('option', { value: '' }, `${t('call.colleague')}…`),
      ...r.colleagues
        .filter((c) => c.state !== 'offline')
        .map((c) => h('option', { value: c.id }, `${c.name} · ${lineName(c.line)}${c.supervisor ? ' ★' : ''} · ${t(`state.${c.state}`)}`)),
    );
  }

  async function loadPhrases() {
    const r = await api('GET', `/api/panel/phrases?language=${language()}`).catch(() => ({ phrases: [] }));
    const fill = (s) =>
      s.replace(/\{(\w+)\}/g, (_, k) => ({ name: ui.session.operator.name, position: t('phrase.position'), company: t('phrase.company'), minutes: '2' })[k] ?? '');
    $('#phrases').replaceChildren(
      ...r.phrases.map((p) =>
        h('li', { title: t('phrase.copy'), onclick: () => navigator.clipboard?.writeText(fill(p.body)).catch(() => undefined) }, h('b', {}, t(`phrase.${p.kind}`)), ' ', fill(p.body)),
      ),
    );
  }

  return { loadTicket, saveTicket, addNote, loadColleagues, loadPhrases };
}
