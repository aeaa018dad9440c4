// Creates or replaces an operator's PJSIP auth, aor and endpoint through ARI's dynamic
// configuration (sorcery.conf maps them to astdb), so no Asterisk restart is needed. Raw HTTP:
// ari-client 2.2's swagger layer does not send the `fields` body of this call reliably.
// Used by the service on every connect and by the CLI.
import type { OperatorEndpoint } from '../calls/pbx.port.js';

export async function pushOperatorEndpoint(ari: { url: string; user: string; password: string }, ep: OperatorEndpoint): Promise<void> {
  const put = async (type: string, fields: Record<string, string>) => {
    const res = await fetch(`${ari.url}/ari/asterisk/config/dynamic/res_pjsip/${type}/${encodeURIComponent(ep.id)}`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ fields: Object.entries(fields).map(([attribute, value]) => ({ attribute, value })) }),
    });
    if (!res.ok) throw new Error(`ARI config ${type}/${ep.id}: ${res.status} ${await res.text()}`);
  };
  await put('auth', { auth_type: 'md5', username: ep.id, realm: ep.realm, md5_cred: ep.md5Cred });
  await put('aor', { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '0' });
  await put('endpoint', {
    context: 'operators',
    disallow: 'all',
    allow: 'alaw,ulaw',
    auth: ep.id,
    aors: ep.id,
    dtmf_mode: 'rfc4733',
    direct_media: 'no',
    rtp_symmetric: 'yes',
    force_rport: 'yes',
    rewrite_contact: 'yes',
    // webrtc=yes turns on DTLS-SRTP, ICE, AVPF and rtcp-mux, which browsers require and plain
    // SIP phones refuse; the plain values are written out too, because a dynamic PUT updates
    // an existing endpoint field by field and a phone changed back would keep the WebRTC ones.
    ...(ep.webrtc
      ? { webrtc: 'yes', dtls_auto_generate_cert: 'yes', dtls_verify: 'fingerprint', dtls_setup: 'actpass', media_use_received_transport: 'yes' }
      : { webrtc: 'no', media_encryption: 'no', ice_support: 'no', use_avpf: 'no', rtcp_mux: 'no' }),
  });
}
