from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasesConfig(AppConfig):
    name = "apps.purchases"
    label = "purchases"
    verbose_name = _("Purchases")

    def ready(self) -> None:
        import apps.purchases.schema  # noqa: F401 - registers the KfToken OpenAPI scheme
