"""Authentication of API clients by their (hashed) access tokens."""

from __future__ import annotations

from typing import Any

from django.utils.functional import cached_property
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.core.exceptions import AuthenticationError
from apps.core.models import ApiClient, ApiToken
from apps.core.services import api_token_authenticate


class ApiClientPrincipal:
    """``request.user`` for a request made by an API client rather than a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    @cached_property
    def pk(self) -> str:
        return f"client:{self.client.pk}"

    def __str__(self) -> str:
        return f"API client {self.client.name}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


def _authenticate_raw(raw: str) -> tuple[ApiClientPrincipal, ApiToken]:
    try:
        token = api_token_authenticate(raw_token=raw)
    except AuthenticationError as exc:
        raise exceptions.AuthenticationFailed(exc.message) from None
    return ApiClientPrincipal(token.client), token


class KdpTokenAuthentication(authentication.BaseAuthentication):
    """The KDP ``token`` header."""

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, ApiToken] | None:
        raw = request.headers.get("token", "").strip()
        if not raw:
            return None
        return _authenticate_raw(raw)

    def authenticate_header(self, request: Request) -> str:
        return "token"


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <token>`` with a token from the token endpoint."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        return _authenticate_raw(parts[1].decode(errors="replace"))

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
