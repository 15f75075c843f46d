#!/usr/bin/env bash
# The Debian packages the tests need beside Python's: Chromium for the browser tests,
# and Pango (WeasyPrint's text layout) for the PDF printouts. Installed when missing
# and we are root; otherwise the tests that need them say what is missing.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (install them as root)" >&2
  exit 0
fi
echo "Installing ${missing[*]} (Debian packages)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
