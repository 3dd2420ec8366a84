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
        modules = {
            app_config.label: import_module(f"{app_config.name}.demo")
            for app_config in apps.get_app_configs()
            if app_config.name in settings.LOCAL_APPS and find_spec(f"{app_config.name}.demo") is not None
        }
        for label in _in_dependency_order(modules):
            with transaction.atomic():
                summary = modules[label].load_demo_data()
            self.stdout.write(f"{label}: {summary}")


def _in_dependency_order(modules: dict[str, Any]) -> list[str]:
    """App labels in INSTALLED_APPS order, except that an app whose demo module
    names others in ``DEMO_AFTER`` (data it refers to) comes after them."""
    ordered: list[str] = []

    def visit(label: str, path: tuple[str, ...]) -> None:
        if label in ordered or label in path or label not in modules:
            return
        for before in getattr(modules[label], "DEMO_AFTER", ()):
            visit(before, (*path, label))
        ordered.append(label)

    for label in modules:
        visit(label, ())
    return ordered
