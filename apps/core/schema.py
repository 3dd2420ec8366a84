"""OpenAPI descriptions of finhub's authentication schemes (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KdpTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.core.authentication.KdpTokenAuthentication"
    name = "kdpToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": "Token from /inventory-server/api/auth/token",
        }


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.core.authentication.ApiClientTokenAuthentication"
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` with a token from /inventory-server/api/auth/token",
        }
