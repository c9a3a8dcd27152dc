#!/usr/bin/env bash
# The tests talk to a real Dovecot and look at the digest in a real Chromium (with a CJK font);
# the bundle reader unpacks 7z/cab/tar/split archives with 7-Zip (7zz) and rar with bsdtar, and
# its tests make cab and spanned-zip bundles with gcab and Info-ZIP's zip; systemd-analyze
# verifies the service unit in deploy/. Install them from Debian when they are missing.
set -euo pipefail
missing=()
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi 'wqy' || missing+=(fonts-wqy-microhei)
command -v 7zz >/dev/null 2>&1 || missing+=(7zip)
command -v bsdtar >/dev/null 2>&1 || missing+=(libarchive-tools)
command -v gcab >/dev/null 2>&1 || missing+=(gcab)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "the tests need: ${missing[*]} (apt-get install -y ${missing[*]} as root)" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
