"""Mapping security group rule objects to AWS permissions and back (pure functions)."""

from sandbox.aws_provider.resources.security_group import (
    atoms_from_aws,
    permissions_from_atoms,
    rule_atoms,
    rules_from_atoms,
)

GROUP = "sg-1"
HTTPS = {
    "from_port": 443,
    "to_port": 443,
    "protocol": "tcp",
    "cidr_blocks": ["0.0.0.0/0", "10.0.0.0/8"],
    "description": None,
}
ALL_OUT = {"from_port": 0, "to_port": 0, "protocol": "all", "cidr_blocks": ["0.0.0.0/0"], "self": True}


def test_rules_round_trip_through_aws_permissions_unchanged():
    atoms = rule_atoms(HTTPS, GROUP) | rule_atoms(ALL_OUT, GROUP)
    permissions = permissions_from_atoms(atoms)

    assert rules_from_atoms(atoms_from_aws(permissions), [HTTPS, ALL_OUT], GROUP) == [HTTPS, ALL_OUT]
    assert {p["IpProtocol"] for p in permissions} == {"tcp", "-1"}


def test_a_rule_added_out_of_band_appears_as_its_own_object():
    remote = rule_atoms(HTTPS, GROUP) | {("tcp", 22, 22, "cidr", "0.0.0.0/0", "")}

    rules = rules_from_atoms(remote, [HTTPS], GROUP)

    assert rules[0] == HTTPS
    assert rules[1]["from_port"] == 22 and rules[1]["cidr_blocks"] == ["0.0.0.0/0"]
    assert rules[1]["self"] is False


def test_a_rule_partly_removed_out_of_band_no_longer_matches_its_object():
    remote = {("tcp", 443, 443, "cidr", "0.0.0.0/0", "")}

    rules = rules_from_atoms(remote, [HTTPS], GROUP)

    assert rules == [
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "description": "",
            "cidr_blocks": ["0.0.0.0/0"],
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "security_groups": [],
            "self": False,
        }
    ]
