from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import apps.core.schema
        import apps.core.tasks  # noqa: F401 - registers run_import, which the import pipeline queues by name
        from apps.core.groups import sync_finance_group_permissions

        post_migrate.connect(sync_finance_group_permissions, dispatch_uid="core.sync_finance_groups")
