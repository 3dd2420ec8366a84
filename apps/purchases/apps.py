from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasesConfig(AppConfig):
    name = "apps.purchases"
    label = "purchases"
    verbose_name = _("Purchases")
