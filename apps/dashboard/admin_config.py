from django.contrib.admin.apps import AdminConfig


class FinhubAdminConfig(AdminConfig):
    """Django's admin with the finhub site as the default ``admin.site``."""

    default_site = "apps.dashboard.site.FinhubAdminSite"
