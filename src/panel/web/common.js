// Shared by the operator panel and the supervisor pages: the session, the API with its CSRF
// header, small DOM helpers and formatting. No framework: the pages are small and must load fast.
import { t, setLanguage, language, applyI18n } from './i18n.js';

let csrf = '';

export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new Error(data?.error?.message ?? res.statusText);
    err.code = data?.error?.code ?? String(res.status);
    err.status = res.status;
    throw err;
  }
  return data;
}

/** The signed-in session (operator, csrf, SIP), or null. */
export async function currentSession() {
  try {
    const s = await api('GET', '/panel/session');
    csrf = s.csrfToken;
    return s;
  } catch {
    return null;
  }
}

export async function signIn(login, password) {
  const s = await api('POST', '/panel/session', { login, password });
  csrf = s.csrfToken;
  return currentSession();
}

export async function signOut() {
  await api('DELETE', '/panel/session').catch(() => undefined);
  location.reload();
}

/** Wires the sign-in form; resolves with the session once signed in. */
export function signInForm() {
  const form = document.getElementById('signin');
  form.hidden = false;
  return new Promise((resolve) => {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const msg = form.querySelector('.error');
      msg.textContent = '';
      try {
        resolve(await signIn(form.login.value.trim(), form.password.value));
        form.hidden = true;
      } catch (err) {
        msg.textContent = t(err.code === 'login_throttled' ? 'signin.throttled' : 'signin.failed');
      }
    });
  });
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

/** h('div.card', {onclick}, 'text', child…): a tiny element builder. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function duration(sec) {
  if (sec === null || sec === undefined) return '—';
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

// One formatter per language: toLocaleString with options builds a new Intl.DateTimeFormat at
// every call, and the screen pop formats a date per repeat ticket and per earlier call while the
// phone rings.
const formats = new Map();

export function when(iso) {
  const lang = language() === 'ru' ? 'ru-RU' : 'en-GB';
  if (!formats.has(lang)) formats.set(lang, new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }));
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : formats.get(lang).format(d); // format() throws on an invalid date
}

export function langToggle() {
  const b = document.getElementById('lang');
  b.addEventListener('click', () => {
    setLanguage(language() === 'ru' ? 'en' : 'ru');
    document.dispatchEvent(new Event('languagechange'));
  });
  applyI18n(document);
}

/** A Server-Sent Events stream that reconnects on its own (EventSource does) and says so. */
export function stream(path, handlers) {
  const es = new EventSource(path, { withCredentials: true });
  for (const [event, fn] of Object.entries(handlers)) es.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  return es;
}

export function toast(text) {
  const el = h('div.toast', {}, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}
