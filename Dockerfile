# The portal's production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ssa_portal.settings.production VAR_DIR=/var/lib/ssa-portal

# WeasyPrint needs Pango; gettext compiles the translations.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-liberation gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings but no real secrets.
RUN SECRET_KEY=build-only-placeholder-key-of-sufficient-length-0000 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /var/lib/ssa-portal && chown portal /var/lib/ssa-portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "ssa_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-"]
