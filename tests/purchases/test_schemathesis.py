"""Property-based run of every /v2 operation against its OpenAPI description:
no 5xx, documented status codes and content types, responses that match their
schemas, whatever the generated input."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application

MAX_EXAMPLES = 30


def _load_schema() -> schemathesis.BaseSchema:
    # The same document /api/schema/ serves, built without a request.
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded.include(path_regex=r"^/v2/")


schema = _load_schema()


@pytest.fixture
def _keep_connection():
    """Requests run in the test's transaction: Django must not close the
    connection at the end of each (its own test client arranges the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _only_query_or_header_negated(case) -> bool:
    """A write whose body is valid and only its query (ignored) or headers (the
    Authorization header is set by the test) were negated."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    negated = {location for location, info in meta.components.items() if info.mode.is_negative}
    return bool(negated) and negated <= {ParameterLocation.QUERY, ParameterLocation.HEADER}


@pytest.mark.schemathesis
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_v2_operations_conform_to_the_schema(case, kf_token, demo, _keep_connection):
    # Schema-valid input may still name a supplier, nominal or purchase that does
    # not exist: a 400/404 there is right, so "positive data acceptance" is not
    # checked. Unknown query parameters are ignored (as KashFlow does), so
    # "negative data rejection" is checked on bodies only; and not on
    # /v2/purchaselist, whose contract answers 200 with a per-item error.
    excluded = [positive_data_acceptance]
    if (
        case.method.upper() in ("GET", "DELETE")
        or case.path == "/v2/purchaselist"
        or _only_query_or_header_negated(case)
    ):
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"KfToken {kf_token}"}, excluded_checks=excluded)
