"""A KDP endpoint used only by the tests of the platform: each accepted call
creates one ImportJob, so a second effect of a replay would be visible."""

import uuid

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.exceptions import ValidationFailed
from apps.core.importing.jobs import import_job_create
from apps.core.kdp.envelope import kdp_success
from apps.core.kdp.parsers import RawBody
from apps.core.kdp.views import KdpAPIView, load_small_json


class EchoView(KdpAPIView):
    def handle_body(self, request: Request, raw: RawBody) -> Response:
        payload = load_small_json(raw)
        if payload == "invalid":
            raise ValidationFailed(errors=[{"index": 0, "field": "body", "message": "invalid on purpose"}])
        if payload == "boom":
            raise RuntimeError("unexpected")
        job = import_job_create(kind="echo", scope=uuid.uuid4().hex, client=self.client)
        return Response(kdp_success({"jobId": str(job.public_id)}))


urlpatterns = [
    path("inventory-server/api/test/echo", EchoView.as_view()),
    path("", include("config.urls")),
]
