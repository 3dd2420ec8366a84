from django.urls import path, re_path

from apps.reconciliation.api.views import SaveReconForApiView
from apps.reconciliation.api.xunlian import xunlian_not_found

# Mounted under /reconciliation/; anything else there answers 404 in the envelope.
urlpatterns = [
    path("saveReconForApi", SaveReconForApiView.as_view(), name="xunlian-save-recon"),
    re_path(r"^.*$", xunlian_not_found),
]
