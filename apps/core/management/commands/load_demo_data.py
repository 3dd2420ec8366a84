from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load demo data for every finhub app (each app's demo.load_demo_data). "
        "Idempotent: running it again changes nothing that is already there."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for app_config in apps.get_app_configs():
            if app_config.name not in settings.LOCAL_APPS or find_spec(f"{app_config.name}.demo") is None:
                continue
            loader = import_module(f"{app_config.name}.demo").load_demo_data
            with transaction.atomic():
                summary = loader()
            self.stdout.write(f"{app_config.label}: {summary}")
