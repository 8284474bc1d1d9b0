"""RDS: aws_db_parameter_group (RDS API).

Schema follows internal/service/rds/parameter_group.go (v5): ``id`` is the name; ``family``,
``name``, ``name_prefix`` and ``description`` force a new group; ``parameter`` is a set of
``{name, value, apply_method}`` (``apply_method`` defaults to ``immediate``). Like the real
provider, the state lists only the parameters the configuration sets (those whose source is
``user``); a parameter removed from the configuration is reset to the family's default.

moto 5.2.5 limits: DescribeDBParameters returns only the parameters set on the group (the
sandbox asks for ``Source=user`` as the real provider does, which is the same thing), and a
reset forgets the parameter.
"""

import re

from ..base import AwsResource, ResourceContext, dict_to_tag_list, ignore_codes, not_found_on, planned_name, wait_gone
from ..blocks import SetNestedBlock
from ..errors import NotFound
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, String
from ._data_common import conflicting, update_tags_by_name

_NOT_FOUND = ("DBParameterGroupNotFound", "DBParameterGroupNotFoundFault")


def _parameters(values: list[dict] | None) -> dict[str, dict]:
    return {p["name"]: p for p in values or []}


def _api_parameter(parameter: dict) -> dict:
    return {
        "ParameterName": parameter["name"],
        "ParameterValue": parameter["value"],
        "ApplyMethod": parameter.get("apply_method") or "immediate",
    }


class DbParameterGroup(AwsResource):
    type_name = "aws_db_parameter_group"
    service = "rds"
    schema = resource_schema(
        computed("arn", String()),
        optional("description", String(), default="Managed by Terraform", force_new=True),
        required("family", String(), force_new=True),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("skip_destroy", Bool(), default=False),
        *tags_attributes(),
        SetNestedBlock(
            "parameter",
            [
                optional("apply_method", String(), default="immediate"),
                required("name", String()),
                required("value", String()),
            ],
        ),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        name = config.get("name")
        if isinstance(name, str) and (
            not re.fullmatch(r"[a-z][0-9a-z-]{0,254}", name) or "--" in name or name.endswith("-")
        ):
            diags.add_error(
                'only lowercase alphanumeric characters and hyphens allowed in "name", beginning with a letter, without two consecutive hyphens or a trailing one',
                path=["name"],
            )
        for parameter in config.get("parameter") or []:
            method = parameter.get("apply_method") if isinstance(parameter, dict) else None
            if isinstance(method, str) and method not in ("immediate", "pending-reboot"):
                diags.add_error(
                    f'expected apply_method to be one of ["immediate" "pending-reboot"], got {method}',
                    path=["parameter"],
                )

    def _group(self, name: str) -> dict:
        found = not_found_on(lambda: self.client.describe_db_parameter_groups(DBParameterGroupName=name), *_NOT_FOUND)[
            "DBParameterGroups"
        ]
        if not found:
            raise NotFound(name)
        return found[0]

    def _modify(self, name: str, parameters: list[dict]) -> None:
        for start in range(0, len(parameters), 20):  # ModifyDBParameterGroup takes 20 at a time
            self.client.modify_db_parameter_group(
                DBParameterGroupName=name, Parameters=[_api_parameter(p) for p in parameters[start : start + 20]]
            )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        self.client.create_db_parameter_group(
            DBParameterGroupName=name,
            DBParameterGroupFamily=planned["family"],
            Description=planned["description"],
            Tags=dict_to_tag_list(planned["tags_all"]),
        )
        state = {**planned, "id": name, "name": name}
        ctx.partial_state = state
        self._modify(name, list(planned["parameter"] or []))
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        group = self._group(name)
        arn = group.get("DBParameterGroupArn") or self.arn("rds", f"pg:{name}")
        user_set = {
            p["ParameterName"]: p
            for page in self.client.get_paginator("describe_db_parameters").paginate(
                DBParameterGroupName=name, Source="user"
            )
            for p in page["Parameters"]
            if "ParameterValue" in p
        }
        configured = _parameters(current.get("parameter"))
        parameters = [
            {
                "name": key,
                "value": found["ParameterValue"],
                # AWS reports pending-reboot for static parameters set as immediate: keep what was asked.
                "apply_method": (configured.get(key) or {}).get("apply_method")
                or (found.get("ApplyMethod") or "immediate").lower(),
            }
            for key, found in sorted(user_set.items())
        ]
        tags = self.client.list_tags_for_resource(ResourceName=arn).get("TagList")
        state = {
            **current,
            "id": name,
            "name": group["DBParameterGroupName"],
            "arn": arn,
            "family": group.get("DBParameterGroupFamily", current["family"]),
            "description": group.get("Description", current["description"]),
            "parameter": parameters,
        }
        return self.set_tags_from_aws(state, tags and {t["Key"]: t["Value"] for t in tags} or {})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        name = prior["id"]
        before, after = _parameters(prior["parameter"]), _parameters(planned["parameter"])
        changed = [p for key, p in after.items() if before.get(key) != p]
        if changed:
            self._modify(name, changed)
        removed = [before[key] for key in before if key not in after]
        if removed:
            self.client.reset_db_parameter_group(
                DBParameterGroupName=name, Parameters=[_api_parameter(p) for p in removed]
            )
        update_tags_by_name(
            self, prior["arn"], prior, planned, remove="remove_tags_from_resource", add="add_tags_to_resource"
        )
        return self.read(ctx, {**planned, "id": name})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        if current.get("skip_destroy"):
            return  # kept in AWS, only forgotten by Terraform (as the real provider does)
        name = current["id"]
        ignore_codes(lambda: self.client.delete_db_parameter_group(DBParameterGroupName=name), *_NOT_FOUND)
        wait_gone(lambda: self._group(name), what=f"DB parameter group {name} to be deleted")


RESOURCES = [DbParameterGroup]
