"""Errors of the internal read API (/api/v1/ and every other DRF view without an
envelope of its own): always JSON, never an HTML page.

- DRF's own errors keep DRF's shape (``{"detail": ...}`` or field -> messages).
- An ``ApplicationError`` is ``{"detail": message}`` with its status.
- Anything unexpected is logged with a new error id and answered
  ``500 {"detail": "... error id <id>.", "errorId": "<id>"}``.
Errors are rendered as JSON even when a browser asked for the browsable API.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core import messages
from apps.core.exceptions import ApplicationError

logger = logging.getLogger("finhub.api")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, ApplicationError):
        response: Response | None = Response({"detail": str(exc.message)}, status=exc.status_code)
    else:
        response = drf_exception_handler(exc, context)
    if response is None:
        error_id = uuid.uuid4().hex
        request = context.get("request")
        logger.exception("Unexpected error %s in %s", error_id, getattr(request, "path", "an API view"), exc_info=exc)
        response = Response(
            {"detail": str(messages.SERVER_ERROR.format(error_id=error_id)), "errorId": error_id}, status=500
        )
    request = context.get("request")
    if request is not None:
        # Errors are JSON, also for a browser that negotiated the browsable API.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response
