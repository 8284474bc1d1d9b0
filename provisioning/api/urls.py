from django.urls import path
from rest_framework.routers import SimpleRouter

from provisioning.api.changes import ApprovalViewSet, ChangeViewSet
from provisioning.api.environments import EnvironmentViewSet
from provisioning.api.gitops import RequestFileViewSet
from provisioning.api.runs import RunViewSet
from provisioning.api.teams import TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("environments", EnvironmentViewSet, basename="environment")
router.register("changes", ChangeViewSet, basename="change")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("runs", RunViewSet, basename="run")

# Request files are not a collection of stored objects: three named operations.
request_files = [
    path("request-files/validate/", RequestFileViewSet.as_view({"post": "validate"}), name="requestfile-validate"),
    path("request-files/apply/", RequestFileViewSet.as_view({"post": "apply"}), name="requestfile-apply"),
    path("request-files/schema.json", RequestFileViewSet.as_view({"get": "json_schema"}), name="requestfile-schema"),
]
