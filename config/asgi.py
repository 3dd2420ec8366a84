import os

# A server process runs the production settings unless told otherwise; the local
# settings come only through manage.py (and so the Makefile).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from apps.core.handlers import get_asgi_application

application = get_asgi_application()
