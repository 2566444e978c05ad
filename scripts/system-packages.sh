#!/usr/bin/env bash
# The Debian packages the tests need beyond Python: Chromium (browser tests), the contract fonts (WenQuanYi Micro
# Hei, Noto CJK), poppler (pdfsig, pdftotext), NSS tools, SoftHSM2 (the PKCS#11 key store) and Redis (shared
# rate-limit storage). Called by scripts/test.sh and .ci/run.
# As root, installs the missing ones with apt-get. Otherwise it says what to install and carries on: the tests that
# need a missing package then skip with a loud reason (and fail under CI=true).
set -euo pipefail
packages=(chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils libnss3-tools softhsm2 redis-server)
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian system: install the equivalents of ${packages[*]} yourself, or the tests that need them skip." >&2
  exit 0
fi
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing the Debian packages the tests need: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests that need these Debian packages will be skipped: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
fi
