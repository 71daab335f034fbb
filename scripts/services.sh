#!/usr/bin/env bash
# Make sure Redis and PostgreSQL answer on 127.0.0.1, starting them if they are down.
# Installs them with apt on a machine that lacks them. Fails (never skips) if either
# cannot be brought up: the tests and the demo need both for real.
set -euo pipefail

log() { printf 'services: %s\n' "$*"; }

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
postgres_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "missing $*; install it (apt-get install $*) or run as root"; exit 1
  fi
  log "installing $* with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v redis-server >/dev/null || apt_install redis-server
command -v pg_ctlcluster >/dev/null || apt_install postgresql

if ! redis_up; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

if ! postgres_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then log "PostgreSQL has no cluster in /etc/postgresql"; exit 1; fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi

for _ in $(seq 1 30); do
  if redis_up && postgres_up; then
    # Trust auth on loopback is this kind of machine's set-up; check we can log in.
    if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
      log "Redis and PostgreSQL are up"; exit 0
    fi
  fi
  sleep 1
done
redis_up || log "Redis does not answer on 127.0.0.1:6379"
postgres_up || log "PostgreSQL does not answer on 127.0.0.1:5432"
log "cannot log in to PostgreSQL as postgres on 127.0.0.1 (trust auth expected)"
exit 1
