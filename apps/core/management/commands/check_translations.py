from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.translations import catalogue_problems


class Command(BaseCommand):
    help = (
        "Fail when a message of a finhub app (code or template) has no Chinese "
        "translation, a translation is fuzzy or malformed, or a django.mo is stale."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("app_dirs", nargs="*", help="app directories (default: every finhub app)")

    def handle(self, *args: Any, **options: Any) -> None:
        dirs = [Path(d) for d in options["app_dirs"]] or [
            Path(config.path) for config in apps.get_app_configs() if config.name.startswith("apps.")
        ]
        problems = [problem for app_dir in dirs for problem in catalogue_problems(app_dir)]
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} translation problem(s) in {settings.LANGUAGE_CODE} -> zh_Hans")
        self.stdout.write(f"Chinese catalogues complete: {', '.join(d.name for d in dirs)}")
