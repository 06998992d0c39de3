# syntax=docker/dockerfile:1
# flower-vendor production image.
#
#   docker build -t flower-vendor .
#   docker run --env-file .env -p 127.0.0.1:8000:8000 flower-vendor
#
# No configuration or secret is baked in: every setting comes from the environment at run time
# (see .env.example). Migrations run as a separate one-off: `flower-vendor db upgrade`.

ARG PYTHON_IMAGE=python:3.12-slim

# --- builder: resolve the locked dependencies into /app/.venv -------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# The uv release the lock file was written with; bump together with uv.lock.
ARG UV_VERSION=0.13.9

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# Then the project itself, installed editable (uv's default) so it keeps the /app/src + /app/alembic
# layout: migrations are found at runtime as <project root>/alembic next to src/.
COPY src/ ./src/
COPY alembic/ ./alembic/
COPY alembic.ini README.md ./
RUN uv sync --frozen --no-dev \
    && python -m compileall -q /app/src /app/alembic

# --- runtime: the virtualenv and the sources, read-only for an unprivileged user ---------------------
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app

# Owned by root: the app user can read and execute, never modify, its own code.
COPY --from=builder --chown=root:root /app /app

ENV PATH="/app/.venv/bin:${PATH}" \
    VIRTUAL_ENV=/app/.venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production

WORKDIR /app
USER 10001
EXPOSE 8000

# Liveness only: readiness (database, Redis) is for the orchestrator, see compose.yaml.
# The probe's Host header is 127.0.0.1, so ALLOWED_HOSTS must keep 127.0.0.1 in it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]

CMD ["flower-vendor", "serve", "--host", "0.0.0.0", "--port", "8000"]
