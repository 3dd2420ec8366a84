import os

from django.core.asgi import get_asgi_application

# A server process runs the production settings unless told otherwise; the local
# settings come only through manage.py (and so the Makefile).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
