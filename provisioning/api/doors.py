"""How an action's answer becomes an API response: the change (202, with where to follow it) or the
policy violations that rejected it (422), in the one error shape of idp_portal.api.errors."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from idp_portal.api.errors import error_body, violations_of
from provisioning.api.serializers import ChangeSerializer
from provisioning.choices import ChangeStatus


def change_response(request, change) -> Response:
    if change.status == ChangeStatus.REJECTED and change.denials:
        body = error_body(
            "policy_violation", f"Change #{change.pk} breaks policy: fix what the violations name and send it again.",
            violations=violations_of(change.policy_results), change=change.pk,
        )  # fmt: skip
        return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    location = reverse("api:change-detail", args=[change.pk], request=request)
    data = ChangeSerializer(change, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
