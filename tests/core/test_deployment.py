"""Deployment defaults that fail safe: a server process (wsgi, asgi, Celery) runs
the production settings unless told otherwise, production refuses to start
without the KashFlow pepper, and ``check --deploy`` is clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KASHFLOW_"))}
    env.update(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "finhub.example.com",
            "DATABASE_URL": "postgres://finhub@127.0.0.1:5432/finhub",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "KASHFLOW_MEMORABLE_WORD_PEPPER": secrets.token_urlsafe(40),
        }
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value != ""}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery_app"])
def test_server_entry_points_default_to_production(module):
    done = _run(
        f"import {module}; from django.conf import settings; print(settings.SETTINGS_MODULE)", _production_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "config.settings.production"


def test_production_refuses_to_start_without_the_pepper():
    done = _run("import config.wsgi", _production_env(KASHFLOW_MEMORABLE_WORD_PEPPER=""))
    assert done.returncode != 0
    assert "KASHFLOW_MEMORABLE_WORD_PEPPER" in done.stderr


def test_production_refuses_a_short_pepper():
    done = _run("import config.wsgi", _production_env(KASHFLOW_MEMORABLE_WORD_PEPPER="short"))
    assert done.returncode != 0
    assert "at least 32 characters" in done.stderr


def test_check_deploy_is_clean():
    env = _production_env(DJANGO_SETTINGS_MODULE="config.settings.production")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_compose_passes_the_env_file_whole():
    compose = (ROOT / "docker" / "compose.yml").read_text()
    assert "env_file:" in compose
    assert "KASHFLOW_MEMORABLE_WORD_PEPPER: ${KASHFLOW_MEMORABLE_WORD_PEPPER:?" in compose
