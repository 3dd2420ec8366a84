"""The internal read API under /api/v1/: one router, each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from apps.core.api.views import ImportJobViewSet
from apps.purchases.api import PurchaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("imports", ImportJobViewSet, basename="import-job")
router.register("purchases", PurchaseViewSet, basename="purchase")

app_name = "api"
urlpatterns = router.urls
