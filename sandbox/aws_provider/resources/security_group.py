"""aws_security_group with inline ``ingress`` / ``egress`` rule sets (EC2 API).

Schema follows internal/service/ec2/vpc_security_group.go (v5): ``ingress``/``egress`` are
sets of objects in "attributes as blocks" mode, so plan JSON shows arrays of objects with
from_port, to_port, protocol, cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, security_groups,
self and description (unset members zero-filled, as SDKv2 does).

AWS merges rules by (protocol, ports) and keeps one description per source, so rules are
compared as "atoms" (protocol, from, to, source kind, source, description); reading maps
the atoms back onto the rule objects in state, like the real provider's matchRules.
"""

from collections import defaultdict

from ..base import AwsResource, ResourceContext, describe_one, ignore_codes, known, planned_name
from ..errors import NotFound
from ..schema import computed, optional, resource_schema, tags_attributes
from ..types import Bool, List, Number, Object, Set, String
from ._ec2 import aws_tags, delete_with_retry, tag_specifications, update_tags

RULE = Object(
    {
        "cidr_blocks": List(String()),
        "description": String(),
        "from_port": Number(),
        "ipv6_cidr_blocks": List(String()),
        "prefix_list_ids": List(String()),
        "protocol": String(),
        "security_groups": Set(String()),
        "self": Bool(),
        "to_port": Number(),
    }
)
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

Atom = tuple[str, int, int, str, str, str]  # protocol, from, to, kind, source, description


def normalize_protocol(protocol: str) -> str:
    p = str(protocol).lower()
    if p in ("-1", "all"):
        return "-1"
    return _PROTOCOL_NAMES.get(p, p)


def rule_atoms(rule: dict, group_id: str) -> set[Atom]:
    protocol = normalize_protocol(rule["protocol"])
    ports = (0, 0) if protocol == "-1" else (int(rule["from_port"]), int(rule["to_port"]))
    desc = rule.get("description") or ""
    sources = [("cidr", c) for c in rule.get("cidr_blocks") or []]
    sources += [("ipv6", c) for c in rule.get("ipv6_cidr_blocks") or []]
    sources += [("prefix", p) for p in rule.get("prefix_list_ids") or []]
    sources += [("sg", g) for g in rule.get("security_groups") or []]
    if rule.get("self"):
        sources.append(("sg", group_id))
    return {(protocol, *ports, kind, source, desc) for kind, source in sources}


def atoms_from_aws(permissions: list[dict]) -> set[Atom]:
    atoms: set[Atom] = set()
    for perm in permissions:
        protocol = normalize_protocol(perm["IpProtocol"])
        ports = (0, 0) if protocol == "-1" else (perm.get("FromPort", 0), perm.get("ToPort", 0))
        for kind, key, field in (
            ("cidr", "IpRanges", "CidrIp"),
            ("ipv6", "Ipv6Ranges", "CidrIpv6"),
            ("prefix", "PrefixListIds", "PrefixListId"),
            ("sg", "UserIdGroupPairs", "GroupId"),
        ):
            for source in perm.get(key, []):
                atoms.add((protocol, *ports, kind, source[field], source.get("Description") or ""))
    return atoms


def permissions_from_atoms(atoms: set[Atom], *, with_descriptions: bool = True) -> list[dict]:
    grouped: dict[tuple, dict] = {}
    for protocol, from_port, to_port, kind, source, desc in sorted(atoms):
        perm = grouped.setdefault(
            (protocol, from_port, to_port),
            {"IpProtocol": protocol, "FromPort": from_port, "ToPort": to_port},
        )
        key, field = {
            "cidr": ("IpRanges", "CidrIp"),
            "ipv6": ("Ipv6Ranges", "CidrIpv6"),
            "prefix": ("PrefixListIds", "PrefixListId"),
            "sg": ("UserIdGroupPairs", "GroupId"),
        }[kind]
        entry = {field: source}
        if desc and with_descriptions:
            entry["Description"] = desc
        perm.setdefault(key, []).append(entry)
    return list(grouped.values())


def _with_prefix_list_descriptions(remote: set[Atom], prior: set[Atom]) -> set[Atom]:
    """moto 5.2.5 drops the description of a prefix-list entry (AWS keeps it): a prefix-list atom
    reported without one takes the description the same atom had in state."""
    described = {atom[:5]: atom for atom in prior if atom[3] == "prefix" and atom[5]}
    return {described.get(atom[:5], atom) if atom[3] == "prefix" and not atom[5] else atom for atom in remote}


def rules_from_atoms(remote: set[Atom], prior_rules: list[dict], group_id: str) -> list[dict]:
    """Rule objects for state: prior rules still fully present, then the rest grouped."""
    remote = _with_prefix_list_descriptions(remote, {a for rule in prior_rules for a in rule_atoms(rule, group_id)})
    rules, remaining = [], set(remote)
    for rule in prior_rules:
        atoms = rule_atoms(rule, group_id)
        if atoms and atoms <= remote:
            rules.append(rule)
            remaining -= atoms
    grouped: dict[tuple, dict] = defaultdict(dict)
    for protocol, from_port, to_port, kind, source, desc in sorted(remaining):
        rule = grouped[(protocol, from_port, to_port, desc)]
        if not rule:
            rule.update(
                protocol=protocol,
                from_port=from_port,
                to_port=to_port,
                description=desc,
                cidr_blocks=[],
                ipv6_cidr_blocks=[],
                prefix_list_ids=[],
                security_groups=[],
                self=False,
            )
        if kind == "sg" and source == group_id:
            rule["self"] = True
        else:
            field = {
                "cidr": "cidr_blocks",
                "ipv6": "ipv6_cidr_blocks",
                "prefix": "prefix_list_ids",
                "sg": "security_groups",
            }
            rule[field[kind]].append(source)
    return rules + list(grouped.values())


class SecurityGroup(AwsResource):
    type_name = "aws_security_group"
    service = "ec2"
    schema = resource_schema(
        computed("arn", String()),
        optional("description", String(), default="Managed by Terraform", force_new=True),
        optional("egress", Set(RULE), computed=True),
        optional("ingress", Set(RULE), computed=True),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        computed("owner_id", String()),
        optional("revoke_rules_on_delete", Bool(), default=False),
        *tags_attributes(),
        optional("vpc_id", String(), computed=True, force_new=True),
    )

    def _find(self, group_id: str) -> dict:
        return describe_one(
            self.client,
            "describe_security_groups",
            "SecurityGroups",
            ("InvalidGroup.NotFound", "InvalidGroupId.Malformed"),
            GroupIds=[group_id],
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned)
        args = {
            "GroupName": name,
            "Description": planned["description"],
            "TagSpecifications": tag_specifications("security-group", planned["tags_all"]),
        }
        if known(planned["vpc_id"]):
            args["VpcId"] = planned["vpc_id"]
        group_id = self.client.create_security_group(**args)["GroupId"]
        ctx.partial_state = {**planned, "id": group_id, "name": name, "ingress": [], "egress": []}
        # Like the real provider: drop AWS's default allow-all egress; only configured rules exist.
        group = self._find(group_id)
        default_egress = atoms_from_aws(group.get("IpPermissionsEgress", []))
        if default_egress:
            self._revoke("egress", group_id, default_egress)
        state = {**planned, "id": group_id, "name": name}
        for direction in ("ingress", "egress"):
            if known(planned[direction]):
                self._authorize(
                    direction, group_id, set().union(*[rule_atoms(r, group_id) for r in planned[direction]])
                )
        return self.read(ctx, state)

    def _authorize(self, direction: str, group_id: str, atoms: set[Atom]) -> None:
        if atoms:
            op = (
                self.client.authorize_security_group_ingress
                if direction == "ingress"
                else (self.client.authorize_security_group_egress)
            )
            op(GroupId=group_id, IpPermissions=permissions_from_atoms(atoms))

    def _revoke(self, direction: str, group_id: str, atoms: set[Atom]) -> None:
        if atoms:
            op = (
                self.client.revoke_security_group_ingress
                if direction == "ingress"
                else (self.client.revoke_security_group_egress)
            )
            ignore_codes(
                lambda: op(GroupId=group_id, IpPermissions=permissions_from_atoms(atoms, with_descriptions=False)),
                "InvalidPermission.NotFound",
            )

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        group_id = current["id"]
        group = self._find(group_id)
        state = dict(current)
        for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            prior_rules = current[direction] if known(current[direction]) else []
            state[direction] = rules_from_atoms(atoms_from_aws(group.get(key, [])), prior_rules, group_id)
        owner = group.get("OwnerId") or self.provider.account_id()
        state.update(
            arn=self.arn("ec2", f"security-group/{group_id}", account=owner),
            description=group.get("Description", ""),
            name=group["GroupName"],
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else None,
            owner_id=owner,
            vpc_id=group.get("VpcId", ""),
        )
        return self.set_tags_from_aws(state, aws_tags(group))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        group_id = prior["id"]
        for direction in ("ingress", "egress"):
            if not known(planned[direction]):
                continue
            old = set().union(*[rule_atoms(r, group_id) for r in prior[direction] or []])
            new = set().union(*[rule_atoms(r, group_id) for r in planned[direction]])
            self._revoke(direction, group_id, old - new)
            self._authorize(direction, group_id, new - old)
        update_tags(self, group_id, prior, planned)
        return self.read(ctx, {**planned, "id": group_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        group_id = current["id"]
        if current["revoke_rules_on_delete"]:
            try:
                group = self._find(group_id)
            except NotFound:
                group = None
            if group:
                self._revoke("ingress", group_id, atoms_from_aws(group.get("IpPermissions", [])))
                self._revoke("egress", group_id, atoms_from_aws(group.get("IpPermissionsEgress", [])))
        delete_with_retry(
            lambda: self.client.delete_security_group(GroupId=group_id),
            f"security group {group_id}",
            gone_codes=("InvalidGroup.NotFound",),
        )


class DefaultSecurityGroup(SecurityGroup):
    """The VPC's default security group, adopted (internal/service/ec2/vpc_default_security_group.go):
    on adoption every rule is removed and only the configured ones are added, so a resource with
    no ``ingress``/``egress`` closes the group; destroy only forgets it (AWS cannot delete it)."""

    type_name = "aws_default_security_group"
    schema = resource_schema(
        computed("arn", String()),
        computed("description", String()),
        optional("egress", Set(RULE), computed=True),
        optional("ingress", Set(RULE), computed=True),
        computed("name", String()),
        computed("name_prefix", String()),
        computed("owner_id", String()),
        optional("revoke_rules_on_delete", Bool(), default=False),
        *tags_attributes(),
        optional("vpc_id", String(), computed=True, force_new=True),
    )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        filters = [{"Name": "group-name", "Values": ["default"]}]
        if known(planned["vpc_id"]):
            filters.append({"Name": "vpc-id", "Values": [planned["vpc_id"]]})
        group = describe_one(self.client, "describe_security_groups", "SecurityGroups", (), Filters=filters)
        group_id = group["GroupId"]
        ctx.partial_state = {**planned, "id": group_id, "ingress": [], "egress": []}
        self._revoke("ingress", group_id, atoms_from_aws(group.get("IpPermissions", [])))
        self._revoke("egress", group_id, atoms_from_aws(group.get("IpPermissionsEgress", [])))
        for direction in ("ingress", "egress"):
            if known(planned[direction]):
                self._authorize(
                    direction, group_id, set().union(*[rule_atoms(r, group_id) for r in planned[direction]])
                )
        update_tags(self, group_id, {"tags_all": aws_tags(group)}, planned)
        return self.read(ctx, {**planned, "id": group_id, "name_prefix": None})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        return None  # the default group lives as long as its VPC


RESOURCES = [SecurityGroup, DefaultSecurityGroup]
