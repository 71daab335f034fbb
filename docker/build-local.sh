#!/usr/bin/env bash
# Build one service's image on this machine without any container registry, then smoke-test it
# (`make image SERVICE=quote-extraction`). Needs Debian's mmdebstrap and buildah (installed with apt if
# missing); no Docker engine, no daemon. Not run by CI: it takes a minute or two per image.
#
# 1. A Debian bookworm base with python3 and its venv module, made by mmdebstrap from this machine's own
#    apt sources (cached as localhost/partsiq-base:bookworm). Extra CAs this machine trusts (its
#    /usr/local/share/ca-certificates) go into that local base, so that pip reaches the package
#    registry from inside the build through a TLS-inspecting proxy.
# 2. buildah bud --build-arg BASE=localhost/partsiq-base:bookworm -f docker/<service>.Dockerfile .
# 3. Smoke test, `buildah run --isolation chroot` on the host network: `partsiq db upgrade` on a scratch
#    database, then the image's own entrypoint and command (the worker) until /readyz answers 200 and
#    the HEALTHCHECK passes, takes a job; then SIGTERM, and the worker must exit 0. The same for the
#    image's other command (platform: the dispatcher; email-monitor: the scheduler), without the job.
set -euo pipefail
cd "$(dirname "$0")/.."

service=${1:?usage: docker/build-local.sh SERVICE (parts-search, email-monitor, quote-extraction, platform)}
dockerfile=docker/$service.Dockerfile
[ -f "$dockerfile" ] || { echo "no $dockerfile" >&2; exit 2; }
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
base=localhost/partsiq-base:bookworm
image=localhost/partsiq-$service:dev
smoke_port=${SMOKE_PORT:-19391}
smoke_db=partsiq_image_smoke
started=$(date +%s)

missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v buildah >/dev/null || missing+=(buildah)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
  mkdir -p .cache/image
  mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
        cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/";
        chroot "$1" update-ca-certificates >/dev/null 2>&1; fi' \
    bookworm .cache/image/rootfs.tar
  container=$(buildah from scratch)
  buildah add --quiet "$container" .cache/image/rootfs.tar /
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$container"
  buildah commit --quiet --rm "$container" "$base" >/dev/null
  rm -f .cache/image/rootfs.tar
  echo "base $base made in $(($(date +%s) - started)) s"
fi

# parts-search: this machine's CPU torch wheel of the pinned version (the one pip finds in /opt/wheels),
# mounted into the build and installed from its path, when there is one.
wheel_args=()
if [ "$service" = parts-search ] && [ -z "${TORCH_INDEX_URL:-}" ]; then
  torch=$(sed -n 's/^torch==//p' services/parts_search/requirements-embedding.txt)
  wheel=$(ls /opt/wheels/torch-"$torch"+cpu-*.whl 2>/dev/null | head -1 || true)
  [ -n "$wheel" ] && wheel_args=(--volume /opt/wheels:/wheels:ro --build-arg "TORCH_WHEEL=/wheels/$(basename "$wheel")")
fi

build_started=$(date +%s)
buildah bud --quiet --layers --format docker --build-arg "BASE=$base" ${TORCH_INDEX_URL:+--build-arg "TORCH_INDEX_URL=$TORCH_INDEX_URL"} \
  "${wheel_args[@]}" -f "$dockerfile" -t "$image" . >/dev/null
echo "built $image in $(($(date +%s) - build_started)) s: $(buildah images --format '{{.Size}}' "$image")"

# Smoke test: what the container runs, against this machine's Redis and PostgreSQL.
container=$(buildah from --quiet "$image")
log=$(mktemp)
worker=
runner=
cleanup() {
  [ -n "$worker" ] && kill -KILL "$worker" 2>/dev/null || true
  [ -n "$runner" ] && kill -KILL "$runner" 2>/dev/null || true
  buildah rm "$container" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT
envs=(--env "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$smoke_db" --env "REDIS_URL=redis://127.0.0.1:6379/0"
      --env REDIS_NAMESPACE=partsiq-image-smoke --env "METRICS_PORT=$smoke_port" --env SHUTDOWN_TIMEOUT_S=20)
buildah run "${envs[@]}" "$container" -- /opt/venv/bin/partsiq db upgrade >/dev/null 2>&1
entrypoint=$(buildah inspect --type image --format '{{.Docker.Config.Entrypoint}} {{.Docker.Config.Cmd}}' "$image")
read -r -a argv < <(echo "$entrypoint" | tr -d '[]' | tr -s ' ')

# start ARGV...: run a command of the image in the background; wait until /readyz answers and the
# HEALTHCHECK passes. chroot isolation shares the PID namespace, so its process is this machine's.
start() {
  buildah run "${envs[@]}" "$container" -- "$@" >"$log" 2>&1 &
  runner=$!
  for _ in $(seq 1 120); do
    curl -fsS "127.0.0.1:$smoke_port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "127.0.0.1:$smoke_port/readyz" || { cat "$log" >&2; exit 1; }
  buildah run --env "METRICS_PORT=$smoke_port" "$container" -- /opt/venv/bin/python /opt/healthcheck.py
  echo "healthcheck: ok"
  worker=$(pgrep -n -f "python[^ ]* $*") || { echo "$* is not running:" >&2; cat "$log" >&2; exit 1; }
  echo "pid $worker: $(tr "\\0" " " </proc/"$worker"/cmdline)"
}

# stop: SIGTERM, and the command must exit 0.
stop() {
  kill -TERM "$worker"
  for _ in $(seq 1 60); do kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  wait "$runner" && code=0 || code=$?
  worker= runner=
  tail -1 "$log"
  [ "$code" -eq 0 ] || { echo "exited $code on SIGTERM" >&2; exit 1; }
}

echo "running the image's command: ${argv[*]} (uid $(buildah run "$container" -- id -u))"
start "${argv[@]}"
# A job of the service's own type, enqueued with the image's CLI: the worker must take it and finish it
# (completed, or failed for good on purpose: it names a message or conversation that does not exist).
case $service in
  platform) job=canary data='{}' ;;
  quote-extraction) job=quote-extraction data='{"emailMessageId": "smoke-missing"}' ;;
  email-monitor) job=email-sync data='{}' ;;
  parts-search) job=search data='{"conversationId": "smoke-missing", "query": "fuel filter"}' ;;
esac
buildah run "${envs[@]}" "$container" -- /opt/venv/bin/partsiq orgs create --id org_smoke --name Smoke >/dev/null 2>&1 || true
result=$(timeout 120 buildah run "${envs[@]}" "$container" -- /opt/venv/bin/partsiq jobs enqueue "$job" --org org_smoke \
  --data "$data" --wait 2>/dev/null) || true
echo "job $job: $(echo "$result" | tr -s ' \n' ' ' | cut -c1-200)"
grep -q '^{' <<<"$result" || { echo "the worker did not finish the job" >&2; exit 1; }
stop

# The image's other long-running command (the manifests' args): ready, healthy, exit 0 on SIGTERM.
case $service in
  platform) other=dispatcher ;;
  email-monitor) other=scheduler ;;
  *) other= ;;
esac
if [ -n "$other" ]; then
  echo "running the image's other command: $other"
  start /opt/venv/bin/partsiq "$other"
  stop
fi
echo "smoke test passed: ready, healthy, exit 0 on SIGTERM; $(($(date +%s) - started)) s in all"
