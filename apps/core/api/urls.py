from django.urls import path

from apps.core.api.views import TokenView

kdp_urlpatterns = [
    path("auth/token", TokenView.as_view(), name="kdp-auth-token"),
]
