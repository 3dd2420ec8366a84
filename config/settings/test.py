"""Test run: PostgreSQL when DATABASE_URL is set, else SQLite; tasks eager unless a test starts a worker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite runs tasks inline; tests marked ``worker`` start a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/finhub-test-media")  # noqa: S108
LANGUAGE_CODE = "en"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
