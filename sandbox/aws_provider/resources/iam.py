"""IAM: aws_iam_role and aws_iam_role_policy (IAM API; IAM is global, moto serves it anyway).

Schemas follow internal/service/iam/role.go and role_policy.go (v5). The role's ``id`` is its
name; ``inline_policy`` (a set block) and ``managed_policy_arns`` are Optional+Computed: unknown
in the plan of a new role, then read back from AWS (the inline policies that
``aws_iam_role_policy`` puts show up there, without a diff). ``assume_role_policy`` and
``policy`` keep the text as written while AWS holds an equivalent document. The role policy's
``id`` is ``<role>:<name>``.
"""

import json
import re
from urllib.parse import unquote

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on, planned_name
from ..blocks import SetNestedBlock
from ..errors import ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Number, Set, String, Unknown
from ._data_common import conflicting
from ._json import state_json

_GONE = ("NoSuchEntity",)
_NAME = re.compile(r"[\w+=,.@-]+")


def _document(value: object) -> str:
    """IAM answers documents URL-encoded (moto: sometimes already decoded)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return unquote(text) if text.startswith("%") else text


def _validate_json(diags, value: object, attr: str) -> None:
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError as exc:
            diags.add_error(f'"{attr}" contains an invalid JSON: {exc}', path=[attr])


class Role(AwsResource):
    type_name = "aws_iam_role"
    service = "iam"
    schema = resource_schema(
        computed("arn", String()),
        required("assume_role_policy", String()),
        computed("create_date", String()),
        optional("description", String()),
        optional("force_detach_policies", Bool(), default=False),
        optional("managed_policy_arns", Set(String()), computed=True),
        optional("max_session_duration", Number(), default=3600),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("path", String(), default="/", force_new=True),
        optional("permissions_boundary", String()),
        *tags_attributes(),
        computed("unique_id", String()),
        SetNestedBlock("inline_policy", [optional("name", String()), optional("policy", String())], computed=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        _validate_json(diags, config.get("assume_role_policy"), "assume_role_policy")
        seconds = config.get("max_session_duration")
        if isinstance(seconds, (int, float)) and not 3600 <= seconds <= 43200:
            diags.add_error(
                f"expected max_session_duration to be in the range (3600 - 43200), got {int(seconds)}",
                path=["max_session_duration"],
            )
        name = config.get("name")
        if isinstance(name, str) and (len(name) > 64 or not _NAME.fullmatch(name)):
            diags.add_error(f'invalid value for name (must match [\\w+=,.@-]{{1,64}}), got "{name}"', path=["name"])

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        # SDKv2 plans an Optional+Computed set block left out of the configuration as unknown on
        # create and as its prior value after (the protocol has no computed blocks).
        if not (isinstance(ctx.config, dict) and ctx.config.get("inline_policy")):
            planned["inline_policy"] = Unknown if prior is None else prior["inline_policy"]
        return planned

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        args = {
            "RoleName": name,
            "Path": planned["path"] or "/",
            "AssumeRolePolicyDocument": planned["assume_role_policy"],
            "MaxSessionDuration": int(planned["max_session_duration"] or 3600),
        }
        if planned["description"]:
            args["Description"] = planned["description"]
        if planned["permissions_boundary"]:
            args["PermissionsBoundary"] = planned["permissions_boundary"]
        if planned["tags_all"]:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(planned["tags_all"].items())]
        self.client.create_role(**args)
        state = {**planned, "id": name, "name": name}
        ctx.partial_state = state
        for policy in planned["inline_policy"] if isinstance(planned["inline_policy"], list) else []:
            if policy.get("name"):
                self._put_inline(name, policy["name"], policy["policy"])
        for arn in planned["managed_policy_arns"] if isinstance(planned["managed_policy_arns"], list) else []:
            self.client.attach_role_policy(RoleName=name, PolicyArn=arn)
        return self.read(ctx, state)

    def _put_inline(self, role: str, name: str, policy: str | None) -> None:
        if not policy:
            raise ProviderError(f"inline_policy {name} of IAM role {role}: policy is required")
        self.client.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=policy)

    def _inline_policies(self, role: str, current: object) -> list[dict]:
        names = self.client.list_role_policies(RoleName=role).get("PolicyNames", [])
        written = (
            {p.get("name"): p.get("policy") for p in current if isinstance(p, dict)}
            if isinstance(current, list)
            else {}
        )
        out = []
        for policy_name in sorted(names):
            document = _document(self.client.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"])
            out.append({"name": policy_name, "policy": state_json(written.get(policy_name), document, policy=True)})
        return out

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        role = not_found_on(lambda: self.client.get_role(RoleName=name), *_GONE)["Role"]
        attached = self.client.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])
        tags = self.client.list_role_tags(RoleName=name).get("Tags", [])
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        prefix = current["name_prefix"]
        state = dict(current)
        state.update(
            id=name,
            name=name,
            name_prefix=prefix if known(prefix) else "",
            arn=role["Arn"],
            create_date=role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            description=role.get("Description", ""),
            max_session_duration=role.get("MaxSessionDuration", 3600),
            path=role.get("Path", "/"),
            permissions_boundary=boundary or "",
            unique_id=role.get("RoleId", ""),
            assume_role_policy=state_json(
                current["assume_role_policy"], _document(role.get("AssumeRolePolicyDocument", "")), policy=True
            ),
            inline_policy=self._inline_policies(name, current["inline_policy"]),
            managed_policy_arns=sorted(p["PolicyArn"] for p in attached),
            force_detach_policies=current["force_detach_policies"]
            if current["force_detach_policies"] is not None
            else False,
        )
        return self.set_tags_from_aws(state, {t["Key"]: t.get("Value", "") for t in tags})

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        from ._json import equivalent

        name = prior["id"]
        if not equivalent(prior["assume_role_policy"], planned["assume_role_policy"], policy=True):
            self.client.update_assume_role_policy(RoleName=name, PolicyDocument=planned["assume_role_policy"])
        if (planned["description"] or "") != (prior["description"] or ""):
            self.client.update_role_description(RoleName=name, Description=planned["description"] or "")
        if planned["max_session_duration"] != prior["max_session_duration"]:
            self.client.update_role(RoleName=name, MaxSessionDuration=int(planned["max_session_duration"]))
        if (planned["permissions_boundary"] or "") != (prior["permissions_boundary"] or ""):
            if planned["permissions_boundary"]:
                self.client.put_role_permissions_boundary(
                    RoleName=name, PermissionsBoundary=planned["permissions_boundary"]
                )
            else:
                self.client.delete_role_permissions_boundary(RoleName=name)
        if isinstance(ctx.config, dict) and ctx.config.get("inline_policy"):
            self._sync_inline(name, prior["inline_policy"] or [], planned["inline_policy"] or [])
        if isinstance(ctx.config, dict) and ctx.config.get("managed_policy_arns") is not None:
            old, new = set(prior["managed_policy_arns"] or []), set(planned["managed_policy_arns"] or [])
            for arn in sorted(old - new):
                self.client.detach_role_policy(RoleName=name, PolicyArn=arn)
            for arn in sorted(new - old):
                self.client.attach_role_policy(RoleName=name, PolicyArn=arn)
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_role(RoleName=name, TagKeys=keys),
            tag=lambda tags: self.client.tag_role(
                RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())]
            ),
        )
        return self.read(ctx, {**planned, "id": name})

    def _sync_inline(self, role: str, old: list[dict], new: list[dict]) -> None:
        wanted = {p["name"]: p["policy"] for p in new if p.get("name")}
        for policy in old:
            if policy.get("name") and policy["name"] not in wanted:
                ignore_codes(
                    lambda n=policy["name"]: self.client.delete_role_policy(RoleName=role, PolicyName=n), *_GONE
                )
        for policy_name, document in wanted.items():
            self._put_inline(role, policy_name, document)

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        # Like the real provider: the policies this resource manages (inline_policy,
        # managed_policy_arns) go with it; others only with force_detach_policies.
        manages_inline = bool(current["inline_policy"]) or current["force_detach_policies"]
        manages_attached = bool(current["managed_policy_arns"]) or current["force_detach_policies"]
        if manages_attached:
            for policy in self.client.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
                ignore_codes(
                    lambda a=policy["PolicyArn"]: self.client.detach_role_policy(RoleName=name, PolicyArn=a), *_GONE
                )
        if manages_inline:
            listed = ignore_codes(lambda: self.client.list_role_policies(RoleName=name), *_GONE) or {}
            for policy_name in listed.get("PolicyNames", []):
                ignore_codes(lambda n=policy_name: self.client.delete_role_policy(RoleName=name, PolicyName=n), *_GONE)
        ignore_codes(lambda: self.client.delete_role(RoleName=name), *_GONE)


class RolePolicy(AwsResource):
    type_name = "aws_iam_role_policy"
    service = "iam"
    schema = resource_schema(
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        required("policy", String()),
        required("role", String(), force_new=True),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        _validate_json(diags, config.get("policy"), "policy")

    @staticmethod
    def _split(id_: str) -> tuple[str, str]:
        role, sep, name = id_.partition(":")
        if not sep or not role or not name:
            raise ProviderError(f"unexpected format of ID ({id_}), expected ROLE-NAME:POLICY-NAME")
        return role, name

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        role = planned["role"]
        self.client.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=planned["policy"])
        state = {**planned, "id": f"{role}:{name}", "name": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        role, name = self._split(current["id"])
        found = not_found_on(lambda: self.client.get_role_policy(RoleName=role, PolicyName=name), *_GONE)
        prefix = current["name_prefix"]
        return {
            **current,
            "role": role,
            "name": name,
            "name_prefix": prefix if known(prefix) else "",
            "policy": state_json(current["policy"], _document(found["PolicyDocument"]), policy=True),
        }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        role, name = self._split(prior["id"])
        self.client.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=planned["policy"])
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        role, name = self._split(current["id"])
        ignore_codes(lambda: self.client.delete_role_policy(RoleName=role, PolicyName=name), *_GONE)


RESOURCES = [Role, RolePolicy]
