from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The finhub admin's face: its home page, header (name, language switch),
    stylesheet and the totals under every list. Listed before Django's admin so
    that its templates override the admin's."""

    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = _("Home")
