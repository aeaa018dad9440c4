// Creates or replaces an operator's PJSIP auth, aor and endpoint through ARI's dynamic
// configuration (sorcery.conf maps them to astdb), so no Asterisk restart is needed. Raw HTTP:
// ari-client 2.2's swagger layer does not send the `fields` body of this call reliably.
// Used by the service at every connect (only what changed) and by the CLI.
import { createHash } from 'node:crypto';
import type { OperatorEndpoint } from '../calls/pbx.port.js';
import { callerIdName, type EndpointIdentity } from '../operators/extension.js';

/** An operator endpoint with what internal calls need (extension, name). */
export type ProvisionedEndpoint = OperatorEndpoint & EndpointIdentity;

/**
 * Internal calls: each extension is a PJSIP endpoint of its own, `ext-<extension>`, whose `aors`
 * names the operator's endpoint (op-<login>). extensions.conf [pbxdesk-internal] derives that
 * endpoint's name from the dialled digits and reads the operator behind it with
 * PJSIP_ENDPOINT(ext-<n>,aors): no lookup in the service, and it lives in astdb like the
 * operators' endpoints, so it survives an Asterisk restart and works while the service is away.
 * (astdb entries of our own through DB() were the first idea: Asterisk refuses DB() writes from
 * ARI as dangerous, and AMI's DBPut needs the 'system' class the AMI account must not have.)
 * The endpoint carries no calls: it shares the operator's auth (only that operator could ever
 * sign in as it) and its context takes nothing in.
 */
export function extensionEndpointId(extension: string): string {
  return `ext-${extension}`;
}

/** The three objects a push writes (auth, aor, endpoint), field by field. */
function endpointObjects(ep: ProvisionedEndpoint): [type: string, fields: Record<string, string>][] {
  return [
    ['auth', { auth_type: 'md5', username: ep.id, realm: ep.realm, md5_cred: ep.md5Cred }],
    ['aor', { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '0' }],
    [
      'endpoint',
      {
        context: 'operators',
        // What a colleague's phone shows for an internal call. Inbound, the endpoint's own caller
        // ID replaces what the phone sends, so an operator cannot pose as another.
        callerid: ep.extension ? `"${callerIdName(ep.displayName ?? '') || ep.extension}" <${ep.extension}>` : '',
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
export function endpointFingerprint(ep: ProvisionedEndpoint): string {
  return createHash('sha256').update(JSON.stringify([endpointObjects(ep), extensionObject(ep)])).digest('hex').slice(0, 32);
}

/** Operator endpoint ids Asterisk has now (astdb and pjsip.conf), in one request. */
export async function listOperatorEndpointIds(ari: { url: string; user: string; password: string }): Promise<Set<string>> {
  const res = await fetch(`${ari.url}/ari/endpoints/PJSIP`, { headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` } });
  if (!res.ok) throw new Error(`ARI endpoints: ${res.status} ${await res.text()}`);
  return new Set(((await res.json()) as { resource: string }[]).map((e) => e.resource));
}

/** The extension's endpoint (see extensionEndpointId); codecs only because an endpoint without any is refused. */
function extensionObject(ep: ProvisionedEndpoint): [id: string, fields: Record<string, string>] | null {
  if (!ep.extension) return null;
  return [extensionEndpointId(ep.extension), { context: 'pbxdesk-nothing', aors: ep.id, auth: ep.id, disallow: 'all', allow: 'alaw' }];
}

/** An extension given up, or no longer this node's: its endpoint goes, and the number leads nowhere. */
export async function deleteExtensionEndpoint(ari: { url: string; user: string; password: string }, extension: string): Promise<void> {
  const id = extensionEndpointId(extension);
  const res = await fetch(`${ari.url}/ari/asterisk/config/dynamic/res_pjsip/endpoint/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` },
  });
  if (!res.ok && res.status !== 404) throw new Error(`ARI config endpoint/${id}: ${res.status} ${await res.text()}`);
}

export async function pushOperatorEndpoint(ari: { url: string; user: string; password: string }, ep: ProvisionedEndpoint): Promise<void> {
  const put = async (type: string, fields: Record<string, string>, id = ep.id) => {
    const res = await fetch(`${ari.url}/ari/asterisk/config/dynamic/res_pjsip/${type}/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ fields: Object.entries(fields).map(([attribute, value]) => ({ attribute, value })) }),
    });
    if (!res.ok) throw new Error(`ARI config ${type}/${id}: ${res.status} ${await res.text()}`);
  };
  // In this order: the endpoint names its auth and aor, which must exist first.
  for (const [type, fields] of endpointObjects(ep)) await put(type, fields);
  // After the operator's: the extension's endpoint names its auth and aor.
  const ext = extensionObject(ep);
  if (ext) await put('endpoint', ext[1], ext[0]);
}
