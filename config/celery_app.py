import os

from celery import Celery

# Like config.wsgi: production unless told otherwise (the Makefile says local).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("finhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
