"""Test run: PostgreSQL when DATABASE_URL is set, else SQLite; tasks eager unless a test starts a worker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite runs tasks inline; tests marked ``worker`` start a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A test that SIGKILLs a worker mid-task starts the next one with a short
# CELERY_BROKER_VISIBILITY_TIMEOUT; Redis then hands the unacked message back
# within about a second of that timeout instead of the default ~100 s sweep.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# Each test starts with empty throttle counters (tests/conftest.py clears them); the
# shared-Redis test builds its own Redis caches.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/finhub-test-media")  # noqa: S108
LANGUAGE_CODE = "en"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
