#!/usr/bin/env bash
# Renders pbx-config/asterisk/*.conf into an instance's config dir. Only the listed
# ${PBX_*} variables (and ${PROMPTS_DIR}) are substituted: dialplan's own ${EXTEN}, ${CALLERID(num)} etc. stay.
set -euo pipefail
src="$1"; dest="$2"
vars='${PBX_INSTANCE_DIR} ${PBX_HTTP_BIND} ${PBX_HTTP_PORT} ${PBX_ARI_USER} ${PBX_ARI_PASSWORD} ${PBX_ARI_APP} ${PBX_ARI_ALLOWED_ORIGINS} ${PBX_AMI_BIND} ${PBX_AMI_PORT} ${PBX_AMI_USER} ${PBX_AMI_SECRET} ${PBX_AMI_PERMIT} ${PBX_RTP_START} ${PBX_RTP_END} ${PBX_SIP_BIND} ${PBX_SIP_PORT} ${PBX_TRUNK_MATCH} ${PBX_TRUNK_HOST} ${PROMPTS_DIR}'
# The IVR prompts (scripts/make-prompts.sh): the dialplan's fallback menu plays one.
export PROMPTS_DIR="${PROMPTS_DIR:-/var/lib/pbxdesk/prompts}"
for v in $vars; do n="${v:2:-1}"; [ -n "${!n:-}" ] || { echo "render-pbx-config: $n is not set" >&2; exit 1; }; done
mkdir -p "$dest"
for f in "$src"/*.conf; do
  envsubst "$vars" < "$f" > "$dest/$(basename "$f")"
done
chmod 600 "$dest"/ari.conf "$dest"/manager.conf
