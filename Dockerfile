# syntax=docker/dockerfile:1
# sla-bridge and its three platform plugins (Zendesk, Jira Service Management, Salesforce),
# run as an unprivileged user. docs/deploy.md explains how to run it; compose.yaml runs two
# replicas on PostgreSQL behind a TLS proxy.
#
#   docker build -t sla-bridge .
#   docker run --rm -p 127.0.0.1:8080:8080 --env-file sla-bridge.env \
#       -v sla-bridge-state:/var/lib/sla-bridge sla-bridge
#
# tests/deploy/test_image_entry.py runs this file's ENTRYPOINT + CMD and HEALTHCHECK as plain
# processes (CI has no container engine): keep them in the JSON (exec) form.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: wheels of the bridge, its plugins and every dependency -------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Only what the four wheels are built from (.dockerignore keeps the rest out). The core's
# wheel force-includes config/policies as sla_bridge/policies (pyproject.toml), so the
# bundled policies travel inside it.
COPY pyproject.toml README.md ./
COPY src/ src/
COPY config/policies/ config/policies/
COPY plugins/zendesk/pyproject.toml plugins/zendesk/README.md plugins/zendesk/
COPY plugins/zendesk/src/ plugins/zendesk/src/
COPY plugins/jira/pyproject.toml plugins/jira/README.md plugins/jira/
COPY plugins/jira/src/ plugins/jira/src/
COPY plugins/salesforce/pyproject.toml plugins/salesforce/README.md plugins/salesforce/
COPY plugins/salesforce/src/ plugins/salesforce/src/
RUN pip wheel --wheel-dir /wheels . ./plugins/zendesk ./plugins/jira ./plugins/salesforce

# --- runtime: the installed wheels and nothing else ----------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="sla-bridge" \
      org.opencontainers.image.description="Enforces a vendor's support policy on Zendesk, Jira Service Management and Salesforce tickets." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/sla-bridge/sla-bridge"
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/sla-bridge \
    && /opt/sla-bridge/bin/pip install --no-index --find-links /wheels \
       sla-bridge sla-bridge-zendesk sla-bridge-jira sla-bridge-salesforce \
    && /opt/sla-bridge/bin/sla-bridge policy check code42-enterprise \
    && groupadd --system --gid 10001 sla-bridge \
    && useradd --system --uid 10001 --gid sla-bridge --home-dir /var/lib/sla-bridge \
       --shell /usr/sbin/nologin sla-bridge \
    && install -d -o sla-bridge -g sla-bridge -m 0750 /var/lib/sla-bridge
COPY deploy/healthcheck.py /opt/sla-bridge/healthcheck.py

# The state (the SQLite database, when no PostgreSQL is configured) lives in the volume;
# a .env file there is read too. Listen on every interface of the container: the port is
# published to a proxy, never to the internet directly (docs/deploy.md).
ENV PATH=/opt/sla-bridge/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SLA_BRIDGE_SERVER__HOST=0.0.0.0 \
    SLA_BRIDGE_SERVER__PORT=8080 \
    SLA_BRIDGE_DATABASE_URL=sqlite:////var/lib/sla-bridge/sla-bridge.db
WORKDIR /var/lib/sla-bridge
VOLUME ["/var/lib/sla-bridge"]
USER sla-bridge:sla-bridge
EXPOSE 8080

# Liveness: the process answers. Readiness (/readyz: database, schema, writes, plugins,
# workers) is for the proxy or orchestrator to route by; compose.yaml probes it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/opt/sla-bridge/healthcheck.py", "/healthz"]

# `serve` migrates the database first (SLA_BRIDGE_SERVER__RUN_MIGRATIONS, default true):
# right for one container. With several replicas, run `db upgrade` once before them and set
# SLA_BRIDGE_SERVER__RUN_MIGRATIONS=false (compose.yaml's `migrate` service does). SIGTERM
# (docker stop) finishes the requests in flight and the workers' current work, then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sla-bridge"]
CMD ["serve"]
