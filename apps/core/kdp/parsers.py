"""Request bodies are spooled to a temporary file while their digest and size are
computed, so a 700 MB import never sits in memory as one bytes object; the
import job later keeps that file (moved into the storage, not copied)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from rest_framework.parsers import BaseParser

from apps.core import messages
from apps.core.exceptions import PayloadTooLarge
from apps.core.media_types import require_utf8

CHUNK = 1024 * 1024


@dataclass
class RawBody:
    """A request body on disk (or in memory while small), rewound, with its SHA-256."""

    file: IO[bytes]
    sha256: str
    size: int


def spool_body(stream: IO[bytes] | None, *, limit: int, content_length: int | None = None) -> RawBody:
    if content_length is not None and content_length > limit:
        raise PayloadTooLarge(messages.BODY_TOO_LARGE.format(limit=limit))
    # A named temporary file (FILE_UPLOAD_TEMP_DIR): the import job keeps the body by
    # moving this file into the storage (FileSystemStorage renames a file that has a
    # temporary_file_path) instead of copying hundreds of megabytes again.
    spooled = TemporaryUploadedFile("body.json", "application/json", 0, None)
    digest = hashlib.sha256()
    size = 0
    while stream is not None:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            spooled.close()
            raise PayloadTooLarge(messages.BODY_TOO_LARGE.format(limit=limit))
        digest.update(chunk)
        spooled.write(chunk)
    spooled.seek(0)
    spooled.size = size
    return RawBody(file=spooled, sha256=digest.hexdigest(), size=size)


class SpooledJsonParser(BaseParser):
    """Accepts ``application/json`` in UTF-8 (415 for another declared charset)
    and hands the view a RawBody; the view decides whether to load it whole or stream it."""

    media_type = "application/json"

    def parse(  # type: ignore[override]  # hands the view a RawBody, not parsed data, by design
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> RawBody:
        require_utf8(media_type)
        context = parser_context or {}
        view = context.get("view")
        limit = getattr(view, "max_body_bytes", None) or settings.KDP_MAX_BODY_BYTES
        request = context.get("request")
        length = None
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0) or None
            except ValueError:
                length = None
        return spool_body(stream, limit=limit, content_length=length)
