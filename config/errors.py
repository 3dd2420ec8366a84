"""Django's 400 handler: a request refused before it reached a view (too many
query fields, ``QueryStringMiddleware``; a Host not allowed) answered in the
envelope of the API its URL belongs to, Django's page elsewhere (the admin)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views import defaults

from apps.core import messages
from apps.purchases.kashflow.base import kashflow_body
from apps.reconciliation.api.xunlian import xunlian_envelope


def bad_request(request: HttpRequest, exception: Exception, *args: Any, **kwargs: Any) -> HttpResponseBase:
    if isinstance(exception, TooManyFieldsSent):
        message: Any = messages.TOO_MANY_FIELDS
    else:
        message = messages.BAD_REQUEST
    path = request.path
    if path.startswith("/inventory-server/"):
        return JsonResponse({"code": 400, "msg": str(message)}, status=400)
    if path.startswith("/reconciliation/"):
        envelope = xunlian_envelope(path=path, ok=False, message=message, return_code=400)
        return JsonResponse(envelope, status=400, json_dumps_params={"ensure_ascii": False})
    if path.startswith("/v2/"):
        return JsonResponse(kashflow_body("InvalidParameter", message), status=400)
    if path.startswith("/api/"):
        return JsonResponse({"detail": str(message)}, status=400)
    return defaults.bad_request(request, exception, *args, **kwargs)
