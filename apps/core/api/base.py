"""The base of every endpoint an API client posts a JSON body to (KDP, Xunlian):
the calling client from its token, ``Content-Type: application/json`` enforced
(415; a charset other than UTF-8 is the parser's 415), the body spooled to disk
under a size limit (413), an empty body refused as malformed (400). Each wire format subclasses it and adds its envelope."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions as drf
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.core import messages
from apps.core.authentication import ApiClientPrincipal
from apps.core.exceptions import PermissionDeniedError, UnsupportedMediaTypeError
from apps.core.kdp.parsers import RawBody, SpooledJsonParser
from apps.core.models import ApiClient
from apps.core.permissions import IsApiClient

JSON_MEDIA_TYPE = "application/json"


class ApiClientJsonView(APIView):
    permission_classes = [IsApiClient]
    parser_classes = [SpooledJsonParser]
    max_body_bytes: int | None = None  # None: settings.KDP_MAX_BODY_BYTES
    # The grant (apps.core.scopes) a client needs to call this endpoint; None: any client.
    required_scope: str | None = None

    @property
    def client(self) -> ApiClient:
        principal = self.request.user
        if not isinstance(principal, ApiClientPrincipal):
            raise drf.NotAuthenticated()
        return principal.client

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.required_scope is not None and not self.client.has_scope(self.required_scope):
            raise PermissionDeniedError(messages.SCOPE_MISSING.format(scope=self.required_scope))
        if request.method == "POST":
            media_type = (request.content_type or "").split(";")[0].strip().lower()
            if media_type != JSON_MEDIA_TYPE:
                raise UnsupportedMediaTypeError(messages.UNSUPPORTED_MEDIA_TYPE)

    def raw_body(self, request: Request) -> RawBody:
        data = request.data
        if not isinstance(data, RawBody) or data.size == 0:
            raise drf.ParseError("the body is empty")
        return data
