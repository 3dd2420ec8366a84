"""Messages of Django's own admin templates that Django ships without a Chinese
translation (the hidden table headers of the app list, added in Django 5.x).
Marked here so that this app's catalogue carries them; the first app in
INSTALLED_APPS wins, and apps.dashboard is listed first."""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_MESSAGES = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
