#!/usr/bin/env bash
# Builds the IVR prompts (8 kHz mono 16-bit WAV, what Asterisk plays without transcoding)
# from pbx-config/prompts/<lang>.tsv with espeak-ng and sox. Rebuilt only when a text changes.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"
for tsv in "$REPO"/pbx-config/prompts/*.tsv; do
  lang="$(basename "$tsv" .tsv)"
  mkdir -p "$out/$lang"
  while IFS=$'\t' read -r name text; do
    [ -n "$name" ] || continue
    sum="$(printf '%s' "$text" | sha1sum | cut -c1-12)"
    [ -f "$out/$lang/$name.wav" ] && [ "$(cat "$out/$lang/$name.sum" 2>/dev/null)" = "$sum" ] && continue
    tmp="$(mktemp --suffix=.wav)"
    espeak-ng -v "$lang" -s 150 -w "$tmp" "$text"
    sox "$tmp" -r 8000 -c 1 -b 16 "$out/$lang/$name.wav" gain -n -3
    rm -f "$tmp"; echo "$sum" > "$out/$lang/$name.sum"
  done < "$tsv"
done
