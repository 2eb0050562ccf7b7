# syntax=docker/dockerfile:1
# The MDA++ coordination service: one image for web (gunicorn), worker, beat and migrate.
#   docker/generate-secrets && docker-compose up -d
# Dependencies come only from requirements/base.lock, checked against its hashes.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# gettext only to compile translations here; the runtime image does not carry it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements/base.lock /tmp/base.lock
RUN /opt/venv/bin/pip install --require-hashes --only-binary=:all: -r /tmp/base.lock

WORKDIR /app
COPY . /app
ENV PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MDA_VAR_DIR=/app/var
# Production settings refuse to load without their secrets, so this step alone gets throwaway
# ones (generated here, deleted in the same layer, never in an ENV) and a REDIS_URL that is never
# contacted. Nothing of them stays in the image.
RUN set -eu; \
    secrets_dir="$(mktemp -d)"; \
    secret_files="$(python docker/generate-secrets --dir "$secrets_dir" --db-host build.invalid --env)"; \
    export $secret_files; \
    export REDIS_URL=redis://build.invalid:6379/0; \
    if find . -path ./var -prune -o -name '*.po' -path '*/locale/*' -print | grep -q .; then \
        python manage.py compilemessages --ignore=var; \
    fi; \
    python manage.py collectstatic --no-input -v 0; \
    rm -rf "$secrets_dir"; \
    python -m compileall -q config mda casework scheduling


FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MDA_VAR_DIR=/app/var
RUN groupadd --system --gid 10001 mda \
    && useradd --system --uid 10001 --gid mda --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin mda
COPY --from=build /opt/venv /opt/venv
# The code and the collected static files belong to root: the app cannot change itself.
COPY --from=build /app /app
# var/ holds what the processes write (beat's schedule, the audit anchors); static/ stays root's.
RUN mkdir -p /app/var/beat /app/var/anchors && chown mda:mda /app/var /app/var/beat /app/var/anchors
WORKDIR /app
USER mda:mda
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
