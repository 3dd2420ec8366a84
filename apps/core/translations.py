"""The check that every message finhub shows has its Chinese translation.

For each app, a copy of its tree gets a fresh ``makemessages -l zh_Hans`` (so a
message added to the code or a template but never extracted counts too), and
the catalogue is then checked with gettext's tools: no untranslated or fuzzy
message, ``msgfmt --check`` passes (placeholders match), and the committed
``django.mo`` holds exactly the ``.po``'s translations. The app's own tree is
never written to."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command

LANGUAGE = "zh_Hans"
CATALOGUE = Path("locale") / LANGUAGE / "LC_MESSAGES" / "django.po"


@contextmanager
def _working_copy(app_dir: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / app_dir.name
        shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        cwd = os.getcwd()
        os.chdir(copy)
        try:
            yield copy
        finally:
            os.chdir(cwd)


def _msgids(po_text: str) -> list[str]:
    """The msgids of a catalogue's entries (without the header)."""
    ids = []
    current: list[str] | None = None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid ") :].strip().strip('"')]
        elif current is not None and line.startswith('"'):
            current.append(line.strip().strip('"'))
        elif current is not None:
            text = "".join(current)
            if text:
                ids.append(text)
            current = None
    if current and "".join(current):
        ids.append("".join(current))
    return ids


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603 - gettext's own tools


def _compiled(po: Path) -> dict[object, str]:
    """What a .po translates, as gettext reads it once compiled."""
    with tempfile.NamedTemporaryFile(suffix=".mo") as fresh:
        _tool("msgfmt", "-o", fresh.name, str(po))
        with open(fresh.name, "rb") as handle:
            return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def _committed(po: Path) -> dict[object, str]:
    with open(po.with_suffix(".mo"), "rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def _stale_mo(po: Path) -> bool:
    """True when django.mo does not hold exactly what django.po translates."""
    if not po.with_suffix(".mo").exists():
        return True
    return _compiled(po) != _committed(po)


def _msgid_text(key: object) -> str:
    return str(key[0] if isinstance(key, tuple) else key).replace("\x04", "|")


def catalogue_problems(app_dir: Path) -> list[str]:
    """What is wrong with the app's Chinese catalogue, one line per problem (none: complete)."""
    app_dir = Path(app_dir).resolve()
    if not (app_dir / CATALOGUE).exists():
        return [f"{app_dir.name}: no {CATALOGUE}"]
    problems: list[str] = []
    committed_po = app_dir / CATALOGUE
    with _working_copy(app_dir) as copy:
        call_command("makemessages", locale=[LANGUAGE], no_obsolete=True, verbosity=0)
        po = copy / CATALOGUE
        for msgid in _msgids(_tool("msgattrib", "--untranslated", "--no-obsolete", str(po))):
            problems.append(f"{app_dir.name}: no Chinese translation: {msgid!r}")
        for msgid in _msgids(_tool("msgattrib", "--only-fuzzy", "--no-obsolete", str(po))):
            problems.append(f"{app_dir.name}: fuzzy (unchecked) translation: {msgid!r}")
        try:
            _tool("msgfmt", "--check", "-o", os.devnull, str(po))
        except subprocess.CalledProcessError as exc:
            problems.append(f"{app_dir.name}: msgfmt --check fails: {exc.stderr.strip()}")
        # makemessages revives an obsolete (#~) entry with its old translation, so a message
        # the committed catalogue has dropped passes the checks above but shows in English.
        if not problems and (committed_po.with_suffix(".mo")).exists():
            committed = _committed(committed_po)
            for key in sorted(set(_compiled(po)) - set(committed), key=str):
                problems.append(
                    f"{app_dir.name}: not in the committed catalogue (run makemessages): {_msgid_text(key)!r}"
                )
    if not problems and _stale_mo(committed_po):
        problems.append(f"{app_dir.name}: django.mo is not compiled from django.po (run compilemessages)")
    return problems
