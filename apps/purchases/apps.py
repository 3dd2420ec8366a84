from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasesConfig(AppConfig):
    name = "apps.purchases"
    label = "purchases"
    verbose_name = _("Purchases")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import apps.purchases.schema  # noqa: F401 - registers the KfToken OpenAPI scheme
        from apps.purchases.triggers import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="purchases.list_version_triggers")
