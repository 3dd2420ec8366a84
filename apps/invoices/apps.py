from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "apps.invoices"
    label = "invoices"
    verbose_name = _("Invoices (SAP)")

    def ready(self) -> None:
        import apps.invoices.services  # noqa: F401 - registers the importer of this kind
