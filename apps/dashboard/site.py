"""The finhub admin site: its name and the home page as the admin index."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class FinhubAdminSite(admin.AdminSite):
    site_header = "finhub"
    site_title = "finhub"
    index_title = _("Home")
    index_template = "admin/finhub/home.html"
    # The page's width goes to the lists and forms (1366 px without sideways
    # scrolling); the home page lists every model instead of a sidebar.
    enable_nav_sidebar = False

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from apps.dashboard.selectors import home_figures

        extra_context = {**(extra_context or {}), "home": home_figures(request.user)}
        return super().index(request, extra_context)
