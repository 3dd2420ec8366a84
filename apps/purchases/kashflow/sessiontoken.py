"""``/v2/sessiontoken``: KashFlow's two-step sign-in (user name and password,
then three characters of the memorable word), the current session, and
signing out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.throttling import IpThrottle, client_ip, throttle_identity
from apps.purchases.kashflow.base import KashflowAPIView, KashflowError, KfTokenAuthentication
from apps.purchases.kashflow.wire import TAG, KfSerializer, int_field, kf_datetime, validate
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import KashflowToken
from apps.purchases.sessions import AccountLocked, InvalidCredentials, revoke_token, sign_in_finish, sign_in_start


def _sign_in_error(exc: InvalidCredentials | AccountLocked) -> KashflowError:
    """KashFlow's sign-in answers: a wrong user name, password or memorable-word
    character is 400 ``InvalidCredentials`` (so a client tells it from an expired
    session, 401 ``InvalidSessionToken``); a locked account 400 ``AccountLocked``."""
    code = "AccountLocked" if isinstance(exc, AccountLocked) else "InvalidCredentials"
    return KashflowError(exc.message, code=code, status=400)


class SessionStartSerializer(KfSerializer):
    UserName = serializers.CharField(max_length=150)
    Password = serializers.CharField(max_length=256, trim_whitespace=False)


class MemorableCharSerializer(KfSerializer):
    Position = int_field(min_value=1)
    Value = serializers.CharField(max_length=1, trim_whitespace=False)


class SessionFinishSerializer(KfSerializer):
    TemporaryToken = serializers.CharField(max_length=64)
    MemorableWordList = serializers.ListField(child=MemorableCharSerializer(), allow_empty=False, max_length=20)


class MemorableCharOutSerializer(serializers.Serializer):
    Position = serializers.IntegerField()
    Value = serializers.CharField()


class SignInFlagsSerializer(serializers.Serializer):
    """The account flags of both sign-in answers (additions digest §4). finhub
    sells no packages, has no partner and no subscription: PackageName and
    PartnerId are null, PartnerBrandingOptOut and SubscriptionExpired false."""

    IsAdmin = serializers.BooleanField()
    HasTemporaryPassword = serializers.BooleanField()
    PackageName = serializers.CharField(allow_null=True)
    PartnerBrandingOptOut = serializers.BooleanField()
    PartnerId = serializers.IntegerField(allow_null=True)
    SubscriptionExpired = serializers.BooleanField()


class SessionStartOutSerializer(SignInFlagsSerializer):
    TemporaryToken = serializers.CharField()
    MemorableWordList = MemorableCharOutSerializer(many=True)


class SessionOutSerializer(SignInFlagsSerializer):
    SessionToken = serializers.CharField()
    CompanyName = serializers.CharField()
    StartPageUrl = serializers.CharField(allow_null=True, help_text="null: finhub has no start page")
    SubscriptionExpiryDate = serializers.CharField(allow_null=True, help_text="null: finhub has no subscription")


def _sign_in_flags(is_admin: bool) -> dict[str, Any]:
    return {
        "IsAdmin": is_admin,
        "HasTemporaryPassword": False,
        "PackageName": None,
        "PartnerBrandingOptOut": False,
        "PartnerId": None,
        "SubscriptionExpired": False,
    }


class EmptySerializer(serializers.Serializer):
    """KashFlow answers a sign-out with ``{}``."""


class SessionInfoSerializer(serializers.Serializer):
    UserName = serializers.CharField()
    IsAdmin = serializers.BooleanField()
    TokenKind = serializers.ChoiceField(choices=["Session", "LongLived"])
    ExpiresOn = serializers.CharField(allow_null=True)


class SessionTokenView(KashflowAPIView):
    """``POST`` user name + password -> temporary token and memorable word positions;
    ``PUT`` temporary token + characters -> session token; ``GET`` the current
    session (a cheap authenticated call); ``DELETE`` ends the current session."""

    scoped = False
    throttle_scope = "kashflow_signin"

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self._signing_in = request.method in ("POST", "PUT")
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        return [] if getattr(self, "_signing_in", False) else [KfTokenAuthentication()]

    def get_throttles(self) -> list[Any]:
        # Signing in is throttled per address here and per user name in ``post``.
        return [IpThrottle()] if getattr(self, "_signing_in", False) else []

    def get_permissions(self) -> list[Any]:
        if getattr(self, "_signing_in", False):
            return [permissions.AllowAny()]
        return list(super().get_permissions())

    @extend_schema(
        operation_id="kashflow_sessiontoken_start",
        tags=TAG,
        request=SessionStartSerializer,
        responses={201: SessionStartOutSerializer, **_errors(400, 413, 415, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validate(SessionStartSerializer, self.body(request))
        throttle_identity(self.throttle_scope, data["UserName"].lower())
        try:
            step = sign_in_start(username=data["UserName"], password=data["Password"], address=client_ip(request))
        except (InvalidCredentials, AccountLocked) as exc:
            raise _sign_in_error(exc) from None
        return Response(
            {
                "TemporaryToken": step.temporary_token,
                "MemorableWordList": [{"Position": p, "Value": ""} for p in step.positions],
                **_sign_in_flags(step.owner.user.is_staff),
            },
            status=201,
        )

    @extend_schema(
        operation_id="kashflow_sessiontoken_finish",
        tags=TAG,
        request=SessionFinishSerializer,
        responses={200: SessionOutSerializer, **_errors(400, 413, 415, 429)},
        auth=[],
    )
    def put(self, request: Request) -> Response:
        data = validate(SessionFinishSerializer, self.body(request))
        answers: dict[int, str] = {}
        for item in data["MemorableWordList"]:
            if item["Position"] in answers:
                raise KashflowError(
                    f"Validation failed: MemorableWordList: position {item['Position']} is given twice",
                    code="ValidationError",
                )
            answers[item["Position"]] = item["Value"]
        try:
            owner, token = sign_in_finish(
                temporary_token=data["TemporaryToken"], answers=answers, address=client_ip(request)
            )
        except (InvalidCredentials, AccountLocked) as exc:
            raise _sign_in_error(exc) from None
        return Response(
            {
                "SessionToken": token,
                "CompanyName": settings.KASHFLOW_COMPANY_NAME,
                "StartPageUrl": None,
                "SubscriptionExpiryDate": None,
                **_sign_in_flags(owner.user.is_staff),
            }
        )

    @extend_schema(
        operation_id="kashflow_sessiontoken_info",
        tags=TAG,
        responses={200: SessionInfoSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        token = self.token
        return Response(
            {
                "UserName": request.user.get_username(),
                "IsAdmin": request.user.is_staff,
                "TokenKind": "LongLived" if token.kind == KashflowToken.Kind.LONG_LIVED else "Session",
                "ExpiresOn": kf_datetime(token.expires_at),
            }
        )

    @extend_schema(
        operation_id="kashflow_sessiontoken_end", tags=TAG, responses={200: EmptySerializer, **_errors(400, 401)}
    )
    def delete(self, request: Request) -> Response:
        KashflowToken.objects.filter(pk=self.token.pk).update(revoked_at=timezone.now())
        return Response({})


class SessionTokenDeleteView(KashflowAPIView):
    """``DELETE /v2/sessiontoken/<token>``: the token in the URL is the credential."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    scoped = False

    @extend_schema(
        operation_id="kashflow_sessiontoken_delete",
        tags=TAG,
        responses={200: EmptySerializer, **_errors(400, 401)},
        auth=[],
    )
    def delete(self, request: Request, token: str) -> Response:
        if not revoke_token(token):
            raise drf.AuthenticationFailed()
        return Response({})
