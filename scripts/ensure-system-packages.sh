#!/usr/bin/env bash
# The Debian packages the tests need beside Python's: Chromium for the browser tests,
# Pango (WeasyPrint's text layout) for the PDF printouts, and Prometheus (promtool and
# the server) for the deploy checks; kubectl (its built-in kustomize) for the Kubernetes
# checks where a repository offers it. Installed when missing and we are root; otherwise
# the tests that need them say what is missing.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v kubectl >/dev/null 2>&1 || want_kubectl=1
[ ${#missing[@]} -eq 0 ] && [ -z "${want_kubectl:-}" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (install them as root)" >&2
  exit 0
fi
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} (Debian packages)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's own kubernetes-client is too old for kustomize v5: only a repository with a
# current kubectl helps; without one the Kubernetes checks skip and say so.
if [ -n "${want_kubectl:-}" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null 2>&1 \
    || echo "kubectl is not available from the configured repositories" >&2
fi
