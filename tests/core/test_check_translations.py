"""The catalogue check CI runs (``manage.py check_translations``): it fails on a
message without a Chinese translation, in the code or in a template, and passes
once the message is translated and compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.translations import catalogue_problems

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext (msgfmt, xgettext)")

HEADER = """msgid ""
msgstr ""
"Language: zh_Hans\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def make_app(tmp_path: Path, translations: dict[str, str]) -> Path:
    app = tmp_path / "someapp"
    (app / "templates").mkdir(parents=True)
    (app / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    (app / "models.py").write_text(
        'from django.utils.translation import gettext_lazy as _\n\nLABEL = _("statement total")\n'
    )
    (app / "templates" / "page.html").write_text('{% load i18n %}{% translate "Awaiting review" %}\n')
    po = HEADER + "".join(f'\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n' for msgid, msgstr in translations.items())
    catalogue = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalogue.write_text(po, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(catalogue.with_suffix(".mo")), str(catalogue)], check=True)
    return app


def test_fails_on_a_message_with_no_chinese_translation(tmp_path):
    app = make_app(tmp_path, {"statement total": "对账单总额"})  # the template's message is missing
    problems = catalogue_problems(app)
    assert problems == ["someapp: no Chinese translation: 'Awaiting review'"]
    with pytest.raises(CommandError, match="1 translation problem"):
        call_command("check_translations", str(app))
    # The app's own files are not touched by the check.
    assert "Awaiting review" not in (app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()


def test_fails_on_an_empty_translation_and_on_a_stale_mo(tmp_path):
    app = make_app(tmp_path, {"statement total": "", "Awaiting review": "待审核"})
    assert catalogue_problems(app) == ["someapp: no Chinese translation: 'statement total'"]
    app = make_app(tmp_path / "b", {"statement total": "对账单总额", "Awaiting review": "待审核"})
    assert catalogue_problems(app) == []
    catalogue = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("待审核", "等待审核"), encoding="utf-8")
    assert catalogue_problems(app) == ["someapp: django.mo is not compiled from django.po (run compilemessages)"]


def test_passes_when_every_message_is_translated(tmp_path):
    app = make_app(tmp_path, {"statement total": "对账单总额", "Awaiting review": "待审核"})
    call_command("check_translations", str(app))


def test_fails_on_a_message_the_catalogue_keeps_only_as_obsolete(tmp_path):
    """A template's message left as an obsolete (#~) entry shows in English at run time,
    although makemessages would revive its old translation."""
    app = make_app(tmp_path, {"statement total": "对账单总额"})
    catalogue = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8") + '\n#~ msgid "Awaiting review"\n#~ msgstr "待审核"\n', encoding="utf-8"
    )
    subprocess.run(["msgfmt", "-o", str(catalogue.with_suffix(".mo")), str(catalogue)], check=True)
    assert catalogue_problems(app) == ["someapp: not in the committed catalogue (run makemessages): 'Awaiting review'"]
