from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from apps.core import messages
from apps.core.authentication import ApiClientPrincipal
from apps.core.scopes import ApiScope


class IsApiClient(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ApiClientPrincipal)


class FinanceReadPermission(permissions.DjangoModelPermissions):
    """Internal read APIs: API clients granted ``api:read`` may read; people need the
    model's view permission (the Finance staff and Auditor groups have it)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.user, ApiClientPrincipal):
            if not request.user.client.has_scope(ApiScope.API_READ):
                self.message = str(messages.SCOPE_MISSING.format(scope=ApiScope.API_READ.value))
                return False
            return request.method in permissions.SAFE_METHODS
        return super().has_permission(request, view)
