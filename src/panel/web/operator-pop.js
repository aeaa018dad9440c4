// The screen pop's repeat-caller part (issue 19): the caller's other open tickets, as the server
// matched them (panel/repeat-caller-rules.ts). A verified-account match says so plainly; a match
// by the calling number only is shown apart, as a hint: caller IDs can be spoofed and phones are
// shared, so it never stands for the caller's identity. One click attaches the call to one of
// them instead of its new ticket (POST /api/panel/calls/:id/ticket-attach); the server drops the
// new ticket if it is empty and keeps it otherwise.
import { t } from './i18n.js';
import { api, $, h, when, toast } from './common.js';
import { lineName } from './line-names.js';

const busy = new Set();

/**
 * Called by operator.js each time the pop is drawn. `attached(r)` gets the API's answer, so the
 * panel shows the chosen ticket as the call's.
 */
export function renderRepeatCallers(call, attached) {
  style();
  const box = root();
  const list = call?.pop?.repeatTickets ?? [];
  // The call the drawn pop belongs to (empty while only the INVITE's number is known): the
  // screen-pop bench watches it to time the server's pop.
  box.dataset.popCall = call?.callId ?? '';
  box.hidden = !list.length;
  if (!list.length) return box.replaceChildren();
  const group = (match) => list.filter((x) => x.match === match);
  box.replaceChildren(
    h('div.rc-title', {}, t('rc.title')),
    ...['account', 'number'].flatMap((match) => {
      const xs = group(match);
      if (!xs.length) return [];
      return [
        h(`div.rc-kind.${match}`, {}, match === 'account' ? `✔ ${t('rc.account')}` : `? ${t('rc.number')}`),
        h(`ul.rc-list.${match}`, {}, ...xs.map((x) => item(call, x, attached))),
      ];
    }),
  );
}

function item(call, x, attached) {
  const label = (k) => (t(k) === k ? k.split('.').pop() : t(k));
  return h(
    `li.rc-item.${x.match}`,
    { dataset: { id: x.id, match: x.match } },
    h('div.rc-head', {},
      h('a.rc-number', { href: `#ticket/${x.id}` }, `№ ${x.number}`), ' ',
      h('span.rc-subject', {}, x.subject)),
    h('div.rc-meta.muted.small', {},
      `${label(`status.${x.status}`)} · ${x.line ? lineName(x.line) : '—'} · ${t('rc.last')} ${when(x.lastActivityAt)}`),
    call.callId
      ? h('button.btn.small.rc-attach', {
          type: 'button',
          // A number match to an account's ticket waits for the caller's verification (the server refuses it too).
          title: x.match === 'number' ? t(x.accountBound ? 'rc.verifyFirst' : 'rc.numberHint') : t('rc.attachHint'),
          disabled: busy.has(call.callId) || (x.match === 'number' && x.accountBound),
          onclick: () => attach(call, x, attached),
        }, t('rc.attach'))
      : null,
  );
}

async function attach(call, x, attached) {
  if (busy.has(call.callId)) return;
  busy.add(call.callId);
  try {
    const r = await api('POST', `/api/panel/calls/${call.callId}/ticket-attach`, { ticketId: x.id });
    toast(`${t('rc.done', { number: r.ticket.number })} (${t(r.dropped ? 'rc.dropped' : 'rc.kept')})`);
    attached(r);
  } catch (err) {
    toast(err.code === 'call_attach_conflict' ? t('rc.err.conflict') : err.code === 'attach_verification_required' ? t('rc.verifyFirst') : `${t('err.generic')}: ${err.message}`);
  } finally {
    busy.delete(call.callId);
  }
}

/**
 * Why this phone rings (sticky routing, calls/call-sticky.ts): the operator is the assignee of
 * the caller's ticket. Only a caller verified by code for the ticket's account is a verified
 * match; one by the keyed number alone (anyone can key a ticket number) or by the calling number
 * (caller IDs can be spoofed) is said to be unverified, in the warning colour, so the operator
 * checks the caller before talking about the ticket. Called by operator.js each time the pop is drawn; hidden for an ordinary ring.
 */
export function renderRingReason(call) {
  style();
  let box = document.getElementById('pop-assignee');
  if (!box) {
    box = h('div.assignee', { id: 'pop-assignee', hidden: true });
    $('#pop-claim').before(box);
  }
  const r = call?.pop?.rungAs;
  box.hidden = !r;
  if (!r) return box.replaceChildren();
  const text = { account: 'pop.assignee.account', number: 'pop.assignee.number', keyed: 'pop.assignee.keyed' }[r.match] ?? 'pop.assignee.keyed';
  box.className = `assignee ${r.verified ? 'verified' : 'unverified'}`;
  box.dataset.match = r.match;
  box.replaceChildren(
    `${r.verified ? '★' : '⚠'} `,
    h('a', { href: `#ticket/${r.ticketId}` }, t(text, { number: r.ticketNumber })),
  );
}

function root() {
  let box = document.getElementById('pop-repeat');
  if (!box) {
    box = h('div.rc', { id: 'pop-repeat', hidden: true });
    $('#pop-claim').after(box);
  }
  return box;
}

function style() {
  if (document.getElementById('rc-style')) return;
  document.head.append(h('link', { id: 'rc-style', rel: 'stylesheet', href: '/panel/assets/operator-pop.css' }));
}
