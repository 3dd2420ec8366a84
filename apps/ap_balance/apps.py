from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApBalanceConfig(AppConfig):
    name = "apps.ap_balance"
    label = "ap_balance"
    verbose_name = _("AP open balance (SAP)")

    def ready(self) -> None:
        import apps.ap_balance.services  # noqa: F401 - registers the importer of this kind
