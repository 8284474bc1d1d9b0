from rest_framework.routers import SimpleRouter

from catalogue.api.views import PatternViewSet

router = SimpleRouter()
router.register("patterns", PatternViewSet, basename="pattern")
