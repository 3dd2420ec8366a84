"""The base of every KDP endpoint: token authentication, header validation,
content type and size checks, traceId idempotency and the KDP envelope."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core import json_guard, messages
from apps.core.api.base import ApiClientJsonView
from apps.core.api.listing import query_problems
from apps.core.authentication import KdpTokenAuthentication
from apps.core.exceptions import PermissionDeniedError, ValidationFailed
from apps.core.importing.jobs import import_job_record_rejection
from apps.core.importing.pipeline import Submitted, import_report_submit
from apps.core.kdp.envelope import kdp_exception_handler, kdp_success
from apps.core.kdp.parsers import RawBody
from apps.core.models import ApiClient
from apps.core.services import idempotency_claim, idempotency_complete, idempotency_release
from apps.core.throttling import ClientThrottle, IpThrottle


@dataclass(frozen=True)
class KdpHeaders:
    sys: str
    trace_id: uuid.UUID
    device_type: int | None
    uid: int | None


def _required(request: Request, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not value:
        raise ValidationFailed(
            messages.HEADER_REQUIRED.format(header=name),
            errors=[{"index": 0, "field": name, "message": str(messages.HEADER_REQUIRED.format(header=name))}],
        )
    return value


def _optional_int(request: Request, name: str) -> int | None:
    value = request.headers.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        message = messages.HEADER_NOT_INTEGER.format(header=name)
        raise ValidationFailed(message, errors=[{"index": 0, "field": name, "message": str(message)}]) from None


def parse_kdp_headers(request: Request, client: ApiClient) -> KdpHeaders:
    sys = _required(request, "sys")
    if sys != client.sys:
        raise PermissionDeniedError(messages.SYS_MISMATCH)
    raw_trace_id = _required(request, "traceId")
    try:
        trace_id = uuid.UUID(raw_trace_id)
    except ValueError:
        raise ValidationFailed(
            messages.TRACE_ID_INVALID,
            errors=[{"index": 0, "field": "traceId", "message": str(messages.TRACE_ID_INVALID)}],
        ) from None
    return KdpHeaders(
        sys=sys, trace_id=trace_id, device_type=_optional_int(request, "deviceType"), uid=_optional_int(request, "uid")
    )


def check_query(request: Request, read: tuple[str, ...]) -> None:
    """400 (ValidationFailed, one error per parameter) for a query parameter the
    endpoint does not read or one given more than once: ``?year=2020&year=2021``
    must not empty whichever year a reader happens to take. [finhub] rule; the
    spec defines no query parameter besides ``?year`` and ``?allowEmpty``."""
    problems = query_problems(request.query_params, read)
    if problems:
        errors = [{"index": 0, "field": name, "message": message} for name, message in problems.items()]
        raise ValidationFailed(errors[0]["message"], errors=errors)


def load_small_json(raw: RawBody) -> Any:
    """Load a small body whole through the JSON guard; numbers with a fraction become
    Decimal, never float."""
    return json_guard.loads(raw.file.read())


class KdpAPIView(ApiClientJsonView):
    """Subclasses implement ``handle_body(request, raw_body)`` and return a Response."""

    authentication_classes = [KdpTokenAuthentication]
    throttle_classes = [IpThrottle, ClientThrottle]
    throttle_scope = "kdp"
    kdp_headers_required = True
    idempotent = True
    # The query parameters the endpoint reads; any other, or one given twice, is a 400.
    query_params_read: tuple[str, ...] = ()

    def get_exception_handler(self) -> Any:
        return kdp_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.kdp_headers_required:
            self.kdp_headers = parse_kdp_headers(request, self.client)
        check_query(request, self.query_params_read)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = self.raw_body(request)
        try:
            return self._post(request, raw)
        finally:
            raw.file.close()  # the spooled body's temporary file (already moved if the job kept it)

    def _post(self, request: Request, raw: RawBody) -> HttpResponseBase:
        if not self.idempotent:
            return self.handle_body(request, raw)
        scope = f"kdp-client:{self.client.pk}"
        key = str(self.kdp_headers.trace_id)
        request_hash = hashlib.sha256(f"{request.method} {request.get_full_path()} {raw.sha256}".encode()).hexdigest()
        stored = idempotency_claim(scope=scope, key=key, request_hash=request_hash, endpoint=request.path)
        if stored is not None:
            replay = HttpResponse(stored.body, status=stored.status, content_type="application/json")
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.handle_body(request, raw)
        except Exception as exc:  # rendered into the envelope like any other error
            response = self.handle_exception(exc)
        if response.status_code < 300 or response.status_code == 400:
            rendered = JSONRenderer().render(response.data).decode()
            idempotency_complete(scope=scope, key=key, status=response.status_code, body=rendered)
        else:
            idempotency_release(scope=scope, key=key)
        return response

    def handle_body(self, request: Request, raw: RawBody) -> Response:
        raise NotImplementedError


@csrf_exempt  # a POST to an unknown URL is a 404 in the envelope, not Django's CSRF page
def kdp_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any unknown URL under the KDP prefix answers in the envelope, not with HTML."""
    return JsonResponse({"code": 404, "msg": str(messages.NOT_FOUND)}, status=404)


class KdpImportView(KdpAPIView):
    """A SAP bulk import: validate and stage the body through the import pipeline,
    keep a rejected body as a failed import job for audit, queue an accepted one
    and answer with its job. Subclasses set ``import_kind`` and say what the
    answer holds (``answer``)."""

    import_kind: str

    def answer(self, *, submitted: Submitted) -> dict[str, Any]:
        raise NotImplementedError

    def handle_body(self, request: Request, raw: RawBody) -> Response:
        audit: dict[str, Any] = {
            "body_sha256": raw.sha256,
            "body_size": raw.size,
            "client": self.client,
            "trace_id": str(self.kdp_headers.trace_id),
        }
        try:
            submitted = import_report_submit(kind=self.import_kind, body=raw.file, params=request.query_params, **audit)
        except ValidationFailed as exc:
            import_job_record_rejection(kind=self.import_kind, error=exc, body=raw.file, **audit)
            raise
        submitted.job.refresh_from_db(fields=["status", "counts"])
        return Response(kdp_success(self.answer(submitted=submitted)))
