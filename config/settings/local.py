"""Developer machine: DEBUG on, a throwaway secret, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
# Serve static files straight from the apps while developing (no collectstatic).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The demo statements (manage.py load_demo_data) are addressed to the Xunlian
# example's buyer: take it as our company, so that matching checks the buyer.
COMPANY_TAX_ID = env("COMPANY_TAX_ID", default="91500103MA5UAHBY29")
