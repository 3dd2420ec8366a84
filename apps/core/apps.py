from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import apps.core.schema  # noqa: F401 - registers the OpenAPI auth extensions
        from apps.core.groups import sync_finance_group_permissions

        post_migrate.connect(sync_finance_group_permissions, dispatch_uid="core.sync_finance_groups")
