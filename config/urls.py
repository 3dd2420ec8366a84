from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apps.ap_balance.api.urls import kdp_urlpatterns as ap_balance_kdp
from apps.core.api.urls import kdp_urlpatterns as core_kdp
from apps.core.api.views import HealthView, api_not_found
from apps.core.kdp.views import kdp_not_found
from apps.invoices.api.urls import kdp_urlpatterns as invoices_kdp
from apps.purchases.kashflow.base import NotFoundView
from apps.reconciliation.api.xunlian import xunlian_not_found

# KDP (SAP) endpoints, all under /inventory-server/api/; anything else under the
# prefix answers 404 in the KDP envelope.
kdp_urlpatterns = [*core_kdp, *invoices_kdp, *ap_balance_kdp]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    # The admin's language switch (Django's set_language: a cookie, then back to the page).
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("config.api_router")),
    re_path(r"^api(?:/|$)", api_not_found),
    path("inventory-server/api/", include(kdp_urlpatterns)),
    re_path(r"^inventory-server(?:/|$)", kdp_not_found),
    path("reconciliation/", include("apps.reconciliation.api.urls")),
    # The bare prefixes too: answered in their envelope, not redirected (APPEND_SLASH).
    path("reconciliation", xunlian_not_found),
    path("v2", NotFoundView.as_view()),
    # KashFlow REST API v2 (purchases); unknown URLs below it answer in KashFlow's body.
    path("v2/", include("apps.purchases.kashflow.urls")),
]

# A 400 before any view (too many query fields): the envelope of the URL's API.
handler400 = "config.errors.bad_request"
# A 500 outside every view's own handler: JSON under /api/, Django's page elsewhere.
handler500 = "apps.core.api.views.server_error"

# Nothing under MEDIA_ROOT is served publicly, not even with DEBUG on: raw import
# bodies are downloaded through the import job's admin page, which checks the permission.
