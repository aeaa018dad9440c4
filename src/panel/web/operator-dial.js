// Click-to-call from the panel (src/calls/outbound-calls*.ts): the operator's own phone rings
// first, and once they pick up the customer is dialled into the same call. Used by the ticket
// page (the ticket's phone or another number, a callback on its timeline) and the missed-calls
// list. The API's number rules decide; a refusal is shown in words, with the API's reason as the
// tooltip.
import { t } from './i18n.js';
import { api, h, toast } from './common.js';

const ERRORS = {
  callback_number_not_allowed: 'dial.err.number',
  callback_rate_limited: 'dial.err.limit',
  operator_unavailable: 'dial.err.busy',
  invalid_value: 'dial.err.noNumber',
  ticket_forbidden: 'dial.err.denied',
};

/** Starts the call; `{ call }`, or `{ error, reason }` (also shown as a toast). */
export async function dial({ ticketId, number }) {
  const body = {};
  if (ticketId) body.ticketId = String(ticketId);
  if (number) body.number = number;
  try {
    const call = await api('POST', '/api/calls/outbound', body);
    toast(t('dial.ringing'));
    return { call };
  } catch (err) {
    const error = `${t(ERRORS[err.code] ?? 'err.generic')}${err.code === 'callback_number_not_allowed' && number ? `: ${number}` : ''}`;
    toast(error);
    return { error, reason: err.message };
  }
}

/** The outcome under a call button or form: "your phone rings", or why not. */
function show(out, r) {
  out.textContent = r.error ?? t('dial.ringing');
  out.title = r.reason ?? '';
  out.className = `dial-msg small ${r.error ? 'error' : 'muted'}`;
}

/** The ticket page's box: a number (the ticket's phone to begin with) and a Call button. */
export function dialForm({ ticketId, number }) {
  const out = h('div.dial-msg.small', { role: 'status' });
  const input = h('input', { name: 'number', type: 'tel', value: number ?? '', placeholder: t('dial.number'), 'aria-label': t('dial.number'), maxlength: 40 });
  const button = h('button.btn.small.primary', { type: 'submit', 'data-action': 'dial' }, `📞 ${t('dial.call')}`);
  return h(
    'form.dial',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        button.disabled = true;
        show(out, await dial({ ticketId, number: input.value.trim() || undefined }));
        button.disabled = false;
      },
    },
    input, ' ', button, out,
  );
}

/** A Call button for one number (a callback on a ticket's timeline, a missed caller). */
export function dialButton({ ticketId, number }) {
  const out = h('span.dial-msg.small', { role: 'status' });
  const button = h(
    'button.btn.small',
    {
      type: 'button',
      'data-action': 'dial',
      title: `${t('dial.call')} ${number}`,
      onclick: async () => {
        button.disabled = true;
        show(out, await dial({ ticketId, number }));
        button.disabled = false;
      },
    },
    `📞 ${t('dial.call')}`,
  );
  return h('span.dial', {}, button, ' ', out);
}
