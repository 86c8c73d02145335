# syntax=docker/dockerfile:1
# The standalone console: the auditconsole wheel plus the project/ settings, served over
# ASGI by gunicorn with uvicorn workers (the live tail pushes lines as Server-Sent Events;
# see docs/tail.md for what a proxy in front needs), with static files from whitenoise, as a
# non-root user, on the newest supported Django (6.1, which needs Python 3.12+).
# tests/test_packaging.py performs these same steps without a Docker engine.

FROM python:3.13-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.*
COPY pyproject.toml README.md ./
COPY auditconsole ./auditconsole
RUN python -m build --wheel --outdir /dist

FROM python:3.13-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=project.settings \
    AUDITCONSOLE_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000
RUN groupadd --system --gid 10001 auditconsole \
 && useradd --system --uid 10001 --gid auditconsole --home-dir /app --shell /usr/sbin/nologin auditconsole
WORKDIR /app
COPY --from=build /dist/*.whl /tmp/wheels/
COPY constraints/django-6.1.txt /tmp/wheels/
RUN pip install --no-cache-dir -c /tmp/wheels/django-6.1.txt "$(ls /tmp/wheels/*.whl)[server]" \
 && rm -rf /tmp/wheels
COPY manage.py ./
COPY project ./project
COPY templates ./templates
COPY static ./static
# collectstatic needs settings, not secrets: a throwaway key is enough at build time, and a
# throwaway var/ keeps the export signing key the settings create out of the image (each
# deployment makes its own on first start, in the /app/var volume).
RUN SECRET_KEY=collectstatic-only-not-a-real-key AUDITCONSOLE_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var \
 && mkdir -p /app/var/log && chown -R auditconsole:auditconsole /app/var
USER auditconsole
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "project.healthcheck"]
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn project.asgi:application --worker-class uvicorn_worker.UvicornWorker --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-2} --access-logfile - --forwarded-allow-ips='*'"]
