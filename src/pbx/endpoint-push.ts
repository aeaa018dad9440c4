// Creates or replaces an operator's PJSIP auth, aor and endpoint through ARI's dynamic
// configuration (sorcery.conf maps them to astdb), so no Asterisk restart is needed. Raw HTTP:
// ari-client 2.2's swagger layer does not send the `fields` body of this call reliably.
// Used by the service at every connect (only what changed) and by the CLI.
import { createHash } from 'node:crypto';
import type { OperatorEndpoint } from '../calls/pbx.port.js';

/** The three objects a push writes (auth, aor, endpoint), field by field. */
function endpointObjects(ep: OperatorEndpoint): [type: string, fields: Record<string, string>][] {
  return [
    ['auth', { auth_type: 'md5', username: ep.id, realm: ep.realm, md5_cred: ep.md5Cred }],
    ['aor', { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '0' }],
    [
      'endpoint',
      {
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
      },
    ],
  ];
}

/** A hash of everything a push writes: a change of the fields here changes every fingerprint, so all are pushed again. */
export function endpointFingerprint(ep: OperatorEndpoint): string {
  return createHash('sha256').update(JSON.stringify(endpointObjects(ep))).digest('hex').slice(0, 32);
}

/** Operator endpoint ids Asterisk has now (astdb and pjsip.conf), in one request. */
export async function listOperatorEndpointIds(ari: { url: string; user: string; password: string }): Promise<Set<string>> {
  const res = await fetch(`${ari.url}/ari/endpoints/PJSIP`, { headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` } });
  if (!res.ok) throw new Error(`ARI endpoints: ${res.status} ${await res.text()}`);
  return new Set(((await res.json()) as { resource: string }[]).map((e) => e.resource));
}

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
  // In this order: the endpoint names its auth and aor, which must exist first.
  for (const [type, fields] of endpointObjects(ep)) await put(type, fields);
}
