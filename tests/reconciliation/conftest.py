"""Fixtures of the reconciliation tests: an API client of a supplier gateway and
a caller that posts statements to the Xunlian endpoint."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from apps.core.scopes import ApiScope
from apps.core.services import ClientCredentials, api_client_create, api_token_issue

SAVE_URL = "/reconciliation/saveReconForApi"
EXAMPLE_PATH = Path(__file__).parent / "example_statement.json"


def example_statement(**changes: Any) -> dict[str, Any]:
    """The spec's valid example (as text-faithful JSON), with top-level changes."""
    body = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    body.update(changes)
    return body


def example_line(**changes: Any) -> dict[str, Any]:
    line = copy.deepcopy(example_statement()["itemList"][0])
    line.update(changes)
    return line


@pytest.fixture
def gateway(db: None) -> ClientCredentials:
    # Also reads /api/v1 in some tests (the refusal without api:read: tests/core/test_scopes.py).
    return api_client_create(
        name="Xunlian gateway", sys="xl", scopes=[ApiScope.RECONCILIATION_WRITE, ApiScope.API_READ]
    )


@pytest.fixture
def gateway_token(gateway: ClientCredentials) -> str:
    return api_token_issue(app_key=gateway.app_key, app_secret=gateway.app_secret).token


class XunlianCaller:
    """Posts statements with a valid token; English unless a test asks otherwise."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def post(
        self,
        body: Any = None,
        *,
        raw: bytes | None = None,
        path: str = SAVE_URL,
        content_type: str = "application/json",
        language: str | None = "en",
        auth: str | None = "authorization",
        token: str | None = None,
    ) -> Any:
        headers: dict[str, str] = {"CONTENT_TYPE": content_type}  # also for an empty body
        token = token if token is not None else self.token
        if auth == "authorization":
            headers["HTTP_AUTHORIZATION"] = f"Token {token}"
        elif auth == "token":
            headers["HTTP_TOKEN"] = token
        if language is not None:
            headers["HTTP_ACCEPT_LANGUAGE"] = language
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return self.client.generic("POST", path, data, content_type=content_type, **headers)


@pytest.fixture
def xunlian(client: Any, gateway_token: str) -> XunlianCaller:
    return XunlianCaller(client, gateway_token)
