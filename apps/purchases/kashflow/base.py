"""The base of every KashFlow (``/v2``) endpoint: ``Authorization: KfToken``
authentication, JSON/XML in and out, ``Idempotency-Key`` on POST/PUT, and one
exception handler that renders every failure as KashFlow's
``{"Message": ..., "Error": ...}`` body (never an HTML page)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any, NoReturn

from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from rest_framework import authentication, permissions
from rest_framework import exceptions as drf
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import messages as core_messages
from apps.core.exceptions import (
    ApplicationError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PayloadTooLarge,
    UnsupportedMediaTypeError,
    ValidationFailed,
)
from apps.core.services import idempotency_claim, idempotency_complete, idempotency_release
from apps.purchases.kashflow.formats import (
    KashflowJSONParser,
    KashflowJSONRenderer,
    KashflowTextXMLParser,
    KashflowTextXMLRenderer,
    KashflowXMLParser,
    KashflowXMLRenderer,
    dumps,
    loads,
)
from apps.purchases.models import KashflowToken, KashflowUser
from apps.purchases.sessions import AccountLocked, authenticate_token

logger = logging.getLogger("finhub.kashflow")

INVALID_SESSION = ("InvalidSessionToken", "Session token provided is invalid.")
FORBIDDEN_SCOPE = "This user has not been granted the {scope} scope."


class KashflowError(ApplicationError):
    """An error with KashFlow's machine code."""

    def __init__(self, message: Any, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status_code = status


def kashflow_body(code: str, message: Any) -> dict[str, str]:
    return {"Message": str(message), "Error": code}


def _drf_field_errors(detail: Any, prefix: str = "") -> list[str]:
    """Flatten DRF's nested errors into ``Field.Sub[0].Name: message`` strings."""
    out: list[str] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):  # ListField errors are keyed by index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_drf_field_errors(value, name))
    elif isinstance(detail, list):
        if all(isinstance(v, str) for v in detail):
            out.extend(f"{prefix or 'body'}: {v}" for v in detail)
        else:
            for i, value in enumerate(detail):
                if value:
                    out.extend(_drf_field_errors(value, f"{prefix}[{i}]"))
    else:
        out.append(f"{prefix or 'body'}: {detail}")
    return out


def kashflow_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    status, code, message = _classify(exc, context)
    response = Response(kashflow_body(code, message), status=status)
    if isinstance(exc, drf.Throttled):
        response["Retry-After"] = str(int(getattr(exc, "wait", None) or 1))
    if status == 401:
        response["WWW-Authenticate"] = "KfToken"
    return response


def _classify(exc: Exception, context: dict[str, Any]) -> tuple[int, str, str]:
    if isinstance(exc, KashflowError):
        return exc.status_code, exc.code, str(exc.message)
    if isinstance(exc, AccountLocked):
        return 401, "AccountLocked", str(exc.message)
    if isinstance(exc, AuthenticationError):
        return 401, "InvalidSessionToken", str(exc.message)
    if isinstance(exc, ValidationFailed):
        return 400, "ValidationError", f"Validation failed: {exc.message}"
    if isinstance(exc, PayloadTooLarge):
        return 413, "PayloadTooLarge", str(exc.message)
    if isinstance(exc, UnsupportedMediaTypeError):
        return 415, "UnsupportedMediaType", str(exc.message)
    if isinstance(exc, NotFoundError):
        return 404, "NotFound", str(exc.message)
    if isinstance(exc, ConflictError):
        return 409, "Conflict", str(exc.message)
    if isinstance(exc, ApplicationError):
        return exc.status_code, "Error", str(exc.message)
    if isinstance(exc, drf.ParseError):
        return 400, "MalformedRequest", str(exc.detail)
    if isinstance(exc, drf.UnsupportedMediaType):
        return 415, "UnsupportedMediaType", "Content-Type must be application/json or application/xml."
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return 401, *INVALID_SESSION
    if isinstance(exc, drf.PermissionDenied):
        return 403, "Forbidden", "You are not allowed to do this."
    if isinstance(exc, drf.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        return 429, "TooManyRequests", f"Too many requests; retry in {wait} seconds."
    if isinstance(exc, drf.MethodNotAllowed):
        request = context.get("request")
        return (
            405,
            "MethodNotAllowed",
            f"The requested resource does not support http method '{getattr(request, 'method', '')}'.",
        )
    if isinstance(exc, drf.NotAcceptable):
        return 406, "NotAcceptable", "Accept must allow application/json or application/xml."
    if isinstance(exc, drf.NotFound | Http404):
        return 404, "NotFound", "The requested resource was not found."
    if isinstance(exc, drf.ValidationError):
        fields = _drf_field_errors(exc.detail)
        return 400, "ValidationError", "Validation failed: " + "; ".join(fields)
    if isinstance(exc, drf.APIException):
        return exc.status_code, "Error", str(exc.detail)
    error_id = uuid.uuid4().hex
    logger.exception("Unexpected error %s in a KashFlow endpoint", error_id, exc_info=exc)
    return 500, "InternalServerError", f"An unexpected error occurred; quote error id {error_id}."


def lower_case_names(query: QueryDict) -> QueryDict:
    """The same query with every parameter name in lower case (values kept, in order)."""
    if all(name == name.lower() for name in query):
        return query
    lowered = QueryDict(mutable=True)
    for name, values in query.lists():
        lowered.setlist(name.lower(), lowered.getlist(name.lower()) + values)
    lowered._mutable = False
    return lowered


class KfTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: KfToken <SessionToken>``."""

    keyword = b"kftoken"

    def authenticate(self, request: Request) -> tuple[Any, KashflowToken] | None:
        """``request.user`` is the Django user behind the token (so the history of
        changes names them) and ``request.auth`` the token, with ``.owner``."""
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise drf.AuthenticationFailed(INVALID_SESSION[1])
        try:
            token = authenticate_token(parts[1].decode(errors="replace"))
        except AccountLocked:
            raise
        except AuthenticationError:
            raise drf.AuthenticationFailed(INVALID_SESSION[1]) from None
        return token.owner.user, token

    def authenticate_header(self, request: Request) -> str:
        return "KfToken"


class IsKashflowUser(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, KashflowToken)


def single_value(request: Request, name: str) -> str:
    """The one value of query parameter ``name`` (stripped; "" when absent). Given
    more than once (``?page=1&page=2``, or ``Page`` and ``page``, names being
    case-insensitive) it is an InvalidParameter 400: reading one of the values
    would silently drop the other."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise KashflowError(f"Invalid {name}: given {len(values)} times; give it once.", code="InvalidParameter")
    return values[0].strip() if values else ""


class LenientNegotiation(DefaultContentNegotiation):
    """An Accept header we cannot satisfy gets JSON rather than a 406 (KashFlow
    clients ask for JSON or XML); an unknown ``?format=`` is a 400."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        fmt = single_value(request, "format") if "format" in request.query_params else None
        if fmt is not None and fmt not in ("json", "xml"):
            raise KashflowError(f"Invalid format {fmt!r}: accepted values are json, xml.", code="InvalidParameter")
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (Http404, drf.NotFound, drf.NotAcceptable):
            return renderers[0], renderers[0].media_type


class KashflowAPIView(APIView):
    authentication_classes = [KfTokenAuthentication]
    permission_classes = [IsKashflowUser]
    renderer_classes = [KashflowJSONRenderer, KashflowXMLRenderer, KashflowTextXMLRenderer]
    parser_classes = [KashflowJSONParser, KashflowXMLParser, KashflowTextXMLParser]
    content_negotiation_class = LenientNegotiation
    throttle_classes: list[Any] = []
    xml_root = "Response"
    xml_item = "Item"
    xml_body_is_list = False
    idempotent_methods = ("POST", "PUT")
    # Reading needs purchases:read, anything else purchases:write (KashflowUser.scope);
    # signing in and out needs no scope.
    scoped = True

    def get_exception_handler(self) -> Any:
        return kashflow_exception_handler

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # KashFlow binds query parameter names case-insensitively (clients send
        # supplierCode, perPage, searchText): every /v2 view reads them by
        # their lower-case name from here on.
        request.GET = lower_case_names(request.GET)  # type: ignore[assignment]
        return super().initialize_request(request, *args, **kwargs)

    def permission_denied(self, request: Request, message: Any = None, code: Any = None) -> NoReturn:
        # No valid KfToken is KashFlow's 401, whatever the permission said.
        raise drf.NotAuthenticated()

    @property
    def token(self) -> KashflowToken:
        token = self.request.auth
        if not isinstance(token, KashflowToken):
            raise drf.NotAuthenticated()
        return token

    def body(self, request: Request, *, expect: type = dict) -> Any:
        """The parsed body, which must be an object (or, for ``expect=list``, an array)."""
        data = request.data
        if not isinstance(data, expect):
            kind = "an array" if expect is list else "an object"
            raise KashflowError(f"The body must be {kind}.", code="MalformedRequest")
        return data

    # --- Idempotency-Key ----------------------------------------------------------

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self._idem: tuple[str, str] | None = None
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.check_scope(request)
        key = request.headers.get("Idempotency-Key", "").strip()
        if key and request.method in self.idempotent_methods and isinstance(request.auth, KashflowToken):
            self._claim(request, key)

    def check_scope(self, request: Request) -> None:
        token = request.auth
        if not self.scoped or not isinstance(token, KashflowToken):
            return
        reading = request.method in permissions.SAFE_METHODS
        needed = KashflowUser.Scope.READ if reading else KashflowUser.Scope.WRITE
        if not token.owner.may(needed):
            raise KashflowError(FORBIDDEN_SCOPE.format(scope=needed.value), code="Forbidden", status=403)

    def _claim(self, request: Request, key: str) -> None:
        if len(key) > 255:
            raise KashflowError("Idempotency-Key: at most 255 characters.", code="ValidationError")
        request.data  # noqa: B018 - parse now: the digest covers the raw body
        raw = getattr(request, "kashflow_raw_body", b"")
        digest = hashlib.sha256(f"{request.method} {request.path} ".encode() + raw).hexdigest()
        scope = f"kashflow-user:{request.user.pk}"
        try:
            stored = idempotency_claim(scope=scope, key=key, request_hash=digest, endpoint=request.path)
        except ConflictError as exc:
            if exc.message == core_messages.TRACE_ID_REUSED:
                raise KashflowError(
                    "This Idempotency-Key was already used with a different request.",
                    code="IdempotencyKeyReused",
                    status=422,
                ) from None
            raise KashflowError(
                "A request with this Idempotency-Key is still in progress.", code="RequestInProgress", status=409
            ) from None
        if stored is not None:
            self._replay = Response(loads(stored.body) if stored.body else None, status=stored.status)
            self._replay["Idempotent-Replayed"] = "true"
            raise _Replay()
        self._idem = (scope, key)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return self._replay
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idem is not None:
            scope, key = self._idem
            self._idem = None
            status = response.status_code
            if status < 300 or status in (400, 404, 422):
                data = getattr(response, "data", None)
                idempotency_complete(scope=scope, key=key, status=status, body=dumps(data) if data is not None else "")
            else:
                idempotency_release(scope=scope, key=key)
        return response


class _Replay(Exception):
    pass


class NotFoundView(KashflowAPIView):
    """Any unknown URL under /v2 answers 404 in KashFlow's body."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        raise drf.NotFound()
