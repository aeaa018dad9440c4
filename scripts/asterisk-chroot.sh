#!/usr/bin/env bash
# Builds (once) a Debian unstable chroot holding Asterisk 22 and SIPp, because
# Debian 12 ships neither. The chroot is cached outside the repo and rebuilt
# only when missing or when the marker file is absent (a half-built chroot).
set -euo pipefail
ROOT="${PBX_CHROOT:-/var/cache/pbxdesk/asterisk-chroot}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
MARK="$ROOT/.pbxdesk-ready"
# Packages the chroot must hold; changing this list re-runs apt in the cached chroot, not debootstrap.
PKGS="asterisk asterisk-modules asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm sip-tester procps"
# Music on hold in the callers' own codecs beside Debian's GSM files: Asterisk plays the cheapest
# format a file exists in, and GSM decoding for every caller on hold was 6 % of Asterisk's CPU
# under a 20 calls/s soak (perf). Idempotent; host sox (ensure_host_packages) converts.
moh_native_codecs() {
  local f
  for f in "$ROOT"/usr/share/asterisk/moh/*.gsm; do
    [ -f "$f" ] || continue
    # Written aside and renamed: an Asterisk already running never opens half a file.
    [ -s "${f%.gsm}.alaw" ] || { sox "$f" -t al "$f.tmp" && mv "$f.tmp" "${f%.gsm}.alaw"; }
    [ -s "${f%.gsm}.ulaw" ] || { sox "$f" -t ul "$f.tmp" && mv "$f.tmp" "${f%.gsm}.ulaw"; }
  done
}
if [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$PKGS" ]; then moh_native_codecs; echo "asterisk chroot: cached at $ROOT"; exit 0; fi
mount_pseudo() {
  mkdir -p "$ROOT/proc" "$ROOT/dev"
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}
if [ -f "$MARK" ]; then
  echo "asterisk chroot: package list changed, updating"
  mount_pseudo
  chroot "$ROOT" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS && apt-get clean" >/tmp/pbxdesk-chroot-apt.log 2>&1 || { tail -30 /tmp/pbxdesk-chroot-apt.log; exit 1; }
  echo "$PKGS" > "$MARK"; moh_native_codecs; exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
umount -l "$ROOT/proc" "$ROOT/dev" 2>/dev/null || true
rm -rf "$ROOT"; mkdir -p "$(dirname "$ROOT")"
echo "asterisk chroot: debootstrap sid into $ROOT (about a minute)"
debootstrap --variant=minbase sid "$ROOT" "$MIRROR" >/tmp/pbxdesk-debootstrap.log 2>&1 || { tail -20 /tmp/pbxdesk-debootstrap.log; exit 1; }
mount_pseudo
# Without working DNS Asterisk stalls resolving these names on every call's media setup
# (field notes: 723/800 calls failed at 400 concurrent); map them to loopback.
printf '127.0.0.1 localhost %s A.ROOT-SERVERS.NET a.root-servers.net\n::1 localhost\n' "$(hostname)" > "$ROOT/etc/hosts"
# The mirror may serve a Release file past its Valid-Until date; the host's apt is set the same way.
printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\nAcquire::Languages "none";\n' > "$ROOT/etc/apt/apt.conf.d/99pbxdesk"
chroot "$ROOT" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends '"$PKGS" >/tmp/pbxdesk-chroot-apt.log 2>&1 || { tail -30 /tmp/pbxdesk-chroot-apt.log; exit 1; }
chroot "$ROOT" /bin/sh -c 'apt-get clean'
moh_native_codecs
echo "$PKGS" > "$MARK"
echo "asterisk chroot: ready ($(chroot "$ROOT" asterisk -V))"
