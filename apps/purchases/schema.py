"""OpenAPI: the KfToken scheme, and one path per /v2 operation (the trailing-slash
aliases and the catch-all 404 are left out of the schema)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KfTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.purchases.kashflow.base.KfTokenAuthentication"
    name = "kfToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`KfToken <SessionToken>` with a token from PUT /v2/sessiontoken "
            "(or a long-lived token issued in the admin)",
        }


def drop_v2_aliases(endpoints: list[tuple[str, Any, str, Any]], **kwargs: Any) -> list[tuple[str, Any, str, Any]]:
    kept = []
    for path, path_regex, method, callback in endpoints:
        if path.startswith("/v2/") and path.endswith("/"):
            continue
        if getattr(callback, "cls", None) is not None and callback.cls.__name__ == "NotFoundView":
            continue
        kept.append((path, path_regex, method, callback))
    return kept
