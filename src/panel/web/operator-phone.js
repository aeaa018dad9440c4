// The operator panel's softphone: SIP.js's SimpleUser over the service's WebSocket relay
// (sip-websocket.proxy.ts), WebRTC media, and the phone's state in the header. What a call on
// it means for the panel is operator.js's (`on`). Split from operator.js for its length.
import { Web } from '/panel/vendor/sip.js/index.js';
import { t } from './i18n.js';
import { $ } from './common.js';

/** Registers the operator's phone; `ui.phone` is the SimpleUser. */
export async function startPhone(ui, on) {
  const s = ui.session.sip;
  const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${s.path}`;
  setPhone('phone.connecting');
  ui.phone = new Web.SimpleUser(server, {
    aor: `sip:${s.username}@${s.domain}`,
    reconnectionAttempts: 1000,
    reconnectionDelay: 3,
    media: { constraints: { audio: true, video: false }, remote: { audio: $('#remote-audio') } },
    userAgentOptions: {
      authorizationUsername: s.username,
      // The digest HA1 of the operator's endpoint: the panel never learns the SIP password.
      authorizationHa1: s.ha1,
      displayName: ui.session.operator.name,
      logLevel: 'warn',
      // No public STUN: the panel and Asterisk see each other directly (LAN, VPN or TURN set up
      // by the site); a STUN server out of reach would only slow every call's ICE gathering.
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 1000 },
    },
    delegate: {
      onRegistered: () => setPhone('phone.registered', 'ok'),
      onUnregistered: () => setPhone('phone.offline', 'bad'),
      onServerDisconnect: () => setPhone('phone.offline', 'bad'),
      onServerConnect: () => ui.phone.register().catch(() => undefined),
      onCallReceived: on.invited,
      onCallAnswered: on.answered,
      onCallHangup: on.hungUp,
    },
  });
  await ui.phone.connect();
  await ui.phone.register();
}

function setPhone(key, cls = '') {
  const el = $('#phone-state');
  el.textContent = t(key);
  el.dataset.i18n = key;
  el.className = `phone ${cls}`;
}
