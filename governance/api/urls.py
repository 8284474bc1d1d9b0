from rest_framework.routers import SimpleRouter

from governance.api.views import AuditEventViewSet

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="auditevent")
