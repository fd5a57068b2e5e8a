# syntax=docker/dockerfile:1
# Production image for klyngeadmin: one image, three roles (web, worker, beat) chosen by the
# command in docker-compose.yml.

# --- front-end packages (DKFDS): only node_modules/dkfds/dist is served (STATICFILES_DIRS) ---
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- application --------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=klyngeadmin.settings \
    STATIC_ROOT=/data/static \
    MEDIA_ROOT=/data/media

# WeasyPrint (PDF letters) needs Pango and fonts; gettext compiles the Danish translations;
# pysaml2 (MitID Erhverv sign-in) signs, verifies and decrypts with xmlsec1.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core gettext xmlsec1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (cached while only the code changes), from the hashed lock file
# (requirements.txt, `make lock`): the exact versions CI tested. The project itself has no
# installable packages (setuptools packages = []); the code runs from /app via PYTHONPATH.
COPY requirements.txt ./
RUN pip install --require-hashes --no-deps -r requirements.txt

COPY --chown=app:app . .
COPY --from=frontend --chown=app:app /app/node_modules/dkfds/dist ./node_modules/dkfds/dist

RUN if [ -d locale ] && find locale -name '*.po' | grep -q .; then \
        python manage.py compilemessages; \
    fi \
    && mkdir -p /data/static /data/media \
    && chown -R app:app /data

USER app
EXPOSE 8000

CMD ["gunicorn", "klyngeadmin.wsgi:application", "--config", "deploy/gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--access-logfile", "-", "--forwarded-allow-ips", "*", \
     "--limit-request-line", "8190", "--limit-request-fields", "100", \
     "--limit-request-field_size", "8190"]
