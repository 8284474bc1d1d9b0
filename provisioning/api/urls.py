from rest_framework.routers import SimpleRouter

from provisioning.api.changes import ApprovalViewSet, ChangeViewSet
from provisioning.api.environments import EnvironmentViewSet
from provisioning.api.runs import RunViewSet
from provisioning.api.teams import TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("environments", EnvironmentViewSet, basename="environment")
router.register("changes", ChangeViewSet, basename="change")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("runs", RunViewSet, basename="run")
