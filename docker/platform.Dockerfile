# syntax=docker/dockerfile:1
# The library alone: the platform worker (`partsiq worker platform`: canary, retention), and with another
# command the dispatcher (`partsiq dispatcher`) and the migration Job (`partsiq db upgrade`).
# Build from the repository root, where the library and the one lock file are:
#   docker build -f docker/platform.Dockerfile -t partsiq-platform .
# BASE: any Debian-family image with python3.11 and its venv module; `make image` makes one without a registry.
# checkov:skip=CKV_DOCKER_7: FROM uses the BASE build argument, whose default is pinned to a version tag
ARG BASE=python:3.11.14-slim-bookworm

FROM ${BASE} AS build
#: The uv the Makefile uses (tests/deploy checks they agree).
ARG UV_VERSION=0.13.8
# The system trust store for pip and uv (a build behind a TLS-inspecting proxy adds its CA to the base).
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}" \
    && python3 -m venv --without-pip /opt/venv
WORKDIR /src
# Dependencies first, from the lock (hash-checked): this layer changes only with the lock or these manifests.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
RUN /opt/uv/bin/uv export --frozen --no-dev --no-emit-workspace --package partsiq \
        --quiet --output-file /tmp/requirements.txt \
    && /opt/uv/bin/uv pip install --no-config --python /opt/venv/bin/python --no-cache --require-hashes --no-deps \
        -r /tmp/requirements.txt
# Then the code: the library, nothing else.
COPY shared/ shared/
RUN /opt/uv/bin/uv pip install --no-config --python /opt/venv/bin/python --no-cache --no-deps ./shared

FROM ${BASE}
LABEL org.opencontainers.image.title="partsiq-platform" \
      org.opencontainers.image.description="PartsIQ platform worker, dispatcher and migrations"
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
COPY --from=build /opt/venv /opt/venv
COPY docker/healthcheck.py /opt/healthcheck.py
# A non-root uid that owns no file: the only path it writes is /tmp (an emptyDir in Kubernetes).
USER 10001:10001
WORKDIR /tmp
#: METRICS_PORT: /metrics, /healthz (the process's pulse) and /readyz.
EXPOSE 9191
# The process's own /healthz on METRICS_PORT (docker/healthcheck.py); the migration one-shot disables it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/venv/bin/python", "/opt/healthcheck.py"]
# Exec form: the worker is PID 1 and receives SIGTERM itself (two-stage shutdown).
ENTRYPOINT ["/opt/venv/bin/partsiq"]
CMD ["worker", "platform"]
