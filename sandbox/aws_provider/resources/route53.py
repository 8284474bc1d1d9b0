"""Route 53: aws_route53_record (simple routing only).

Schema follows internal/service/route53/record.go (v5): ``id`` is ``ZONEID_NAME_TYPE``, ``fqdn``
is the name without its trailing dot, ``allow_overwrite`` UPSERTs over an existing record.
Not implemented: alias records, routing policies, ``set_identifier``, health checks.
"""

from ..base import AwsResource, ResourceContext, ignore_codes, not_found_on
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema
from ..types import Bool, Number, Set, String

_NOT_FOUND = ("NoSuchHostedZone",)


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower()


class Record(AwsResource):
    type_name = "aws_route53_record"
    service = "route53"
    schema = resource_schema(
        required("zone_id", String(), force_new=True),
        required("name", String(), force_new=True),
        required("type", String(), force_new=True),
        optional("ttl", Number()),
        optional("records", Set(String())),
        optional("allow_overwrite", Bool(), computed=True),
        computed("fqdn", String()),
    )

    def _change(self, action: str, state: dict) -> None:
        record = {
            "Name": state["name"],
            "Type": state["type"],
            "TTL": int(state["ttl"] or 0),
            "ResourceRecords": [{"Value": value} for value in sorted(state["records"] or [])],
        }
        self.client.change_resource_record_sets(
            HostedZoneId=state["zone_id"],
            ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]},
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        self._change("UPSERT" if planned["allow_overwrite"] else "CREATE", planned)
        record_id = f"{planned['zone_id']}_{_fqdn(planned['name'])}_{planned['type']}"
        ctx.partial_state = {**planned, "id": record_id}
        return self.read(ctx, {**planned, "id": record_id})

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = _fqdn(current["name"])
        sets = not_found_on(
            lambda: self.client.list_resource_record_sets(
                HostedZoneId=current["zone_id"], StartRecordName=name, StartRecordType=current["type"]
            ),
            *_NOT_FOUND,
        )["ResourceRecordSets"]
        found = next((s for s in sets if _fqdn(s["Name"]) == name and s["Type"] == current["type"]), None)
        if found is None:
            raise NotFound("record")
        return {
            **current,
            "ttl": found.get("TTL"),
            "records": [r["Value"] for r in found.get("ResourceRecords", [])],
            "allow_overwrite": current["allow_overwrite"] if current["allow_overwrite"] is not None else False,
            "fqdn": name,
        }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        self._change("UPSERT", planned)
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        ignore_codes(lambda: self._change("DELETE", current), *_NOT_FOUND, "InvalidChangeBatch")


RESOURCES = [Record]
