"""Messages stored language-neutrally: a code (the message's English source text,
its msgid) and parameters, turned into text in the reader's language when shown.

``Msg(TEMPLATE, count=3)`` stands for ``TEMPLATE.format(count=3)``: as text
(``str()``, a JSON body, a template) it is rendered in the active language;
``stored_message()`` gives ``{"code", "params"}`` for the database, and
``render_stored()`` renders that again in whatever language is active then. So
an import job rejected in a Chinese API call reads in English to an English
admin user, and the other way round."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


def message_code(message: object) -> str | None:
    """The msgid of a translatable message (a lazy ``_()`` or a ``Msg``), else None."""
    if isinstance(message, Msg):
        return message.code
    if isinstance(message, Promise):
        args = getattr(message, "_args", ())
        return args[0] if args and isinstance(args[0], str) else None
    return None


class Msg(Promise):
    """A translatable message with its parameters, rendered when turned into text."""

    def __init__(self, template: Any, **params: Any) -> None:
        self.template = template
        self.params = params

    @property
    def code(self) -> str:
        return message_code(self.template) or str(self.template)

    def __str__(self) -> str:
        return render_stored(stored_message(self))

    def __repr__(self) -> str:
        return f"Msg({self.code!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.code)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __add__(self, other: Any) -> str:
        return str(self) + str(other)

    def __radd__(self, other: Any) -> str:
        return str(other) + str(self)


def _stored_param(value: Any) -> Any:
    if message_code(value) is not None:
        return stored_message(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def stored_message(message: object) -> dict[str, Any]:
    """``{"code": msgid, "params": {...}}``; a plain string (no msgid) is kept as ``text``."""
    code = message_code(message)
    if code is None:
        return {"code": None, "params": {}, "text": str(message)}
    params = message.params if isinstance(message, Msg) else {}
    return {"code": code, "params": {key: _stored_param(value) for key, value in params.items()}}


def _render_param(value: Any) -> Any:
    return render_stored(value) if isinstance(value, dict) and "code" in value else value


def render_stored(stored: dict[str, Any] | None, *, fallback: str = "") -> str:
    """A stored message in the active language (``fallback`` when there is none)."""
    if not stored:
        return fallback
    code = stored.get("code")
    if not code:
        return str(stored.get("text", fallback))
    params = {key: _render_param(value) for key, value in (stored.get("params") or {}).items()}
    text = gettext(code)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def stored_error(error: dict[str, Any]) -> dict[str, Any]:
    """A row error ``{index, field, message}`` as stored on an import job: the
    message as code and parameters, and as English text for readers without i18n."""
    message = error.get("message")
    stored = stored_message(message)
    with translation.override(settings.LANGUAGE_CODE):
        text = render_stored(stored)
    return {**{k: v for k, v in error.items() if k != "message"}, **stored, "message": text}


def render_error(error: dict[str, Any]) -> dict[str, Any]:
    """A stored row error with its message in the active language (older rows,
    stored as text only, keep their text)."""
    if error.get("code"):
        return {**error, "message": render_stored(error)}
    return error
