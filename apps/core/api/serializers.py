from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.core.api.casing import CamelCaseFieldsMixin
from apps.core.models import ImportJob


class KdpErrorItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class KdpEnvelopeSerializer(serializers.Serializer):
    """``{code, msg, data?, errors?, errorCount?}``: code 0 on success, else the HTTP status."""

    code = serializers.IntegerField()
    msg = serializers.CharField()
    errors = KdpErrorItemSerializer(many=True, required=False)  # type: ignore[assignment]  # wire name
    errorCount = serializers.IntegerField(required=False)  # noqa: N815 - wire name
    errorId = serializers.CharField(required=False)  # noqa: N815 - wire name


class TokenRequestSerializer(serializers.Serializer):
    appKey = serializers.CharField(max_length=64)  # noqa: N815 - wire name
    appSecret = serializers.CharField(max_length=256)  # noqa: N815 - wire name


class TokenDataSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiresIn = serializers.IntegerField()  # noqa: N815 - wire name


@extend_schema_serializer(component_name="TokenResponse")
class TokenResponseSerializer(KdpEnvelopeSerializer):
    data = TokenDataSerializer()  # type: ignore[assignment]  # wire name


class ImportJobSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.CharField(source="client.name", allow_null=True, default=None)
    duration_seconds = serializers.SerializerMethodField()
    progress_percent = serializers.IntegerField(read_only=True)
    # Stored language-neutrally; answered in the caller's language.
    errors = serializers.ListField(source="errors_text", child=serializers.DictField(), read_only=True)  # type: ignore[assignment]  # wire name
    message = serializers.CharField(source="message_text", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "scope",
            "status",
            "progress_done",
            "progress_total",
            "progress_percent",
            "counts",
            "errors",
            "error_count",
            "message",
            "client",
            "source",
            "trace_id",
            "body_sha256",
            "body_size",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
        ]

    def get_duration_seconds(self, job: ImportJob) -> float | None:
        duration = job.duration
        return round(duration.total_seconds(), 3) if duration is not None else None


class HealthCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class HealthChecksSerializer(serializers.Serializer):
    database = HealthCheckSerializer()
    broker = HealthCheckSerializer()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "unavailable"])
    checks = HealthChecksSerializer()
