package idp.plan.no_open_ingress

import rego.v1

metadata := {
	"id": "plan-no-open-ingress",
	"title": "No ingress from large parts of the internet",
	"severity": "deny",
	"rationale": "Only load balancers face the internet, and only on HTTP and HTTPS; everything else sits behind them or a VPN.",
	"remediation": "Restrict the source to your VPC, office or VPN ranges.",
}

# Ranges are judged as ranges (governance/plan_facts.py counts the public addresses of each), so
# 0.0.0.0/1 + 128.0.0.0/1, or a /0 split over several rules of one group, are caught like 0.0.0.0/0.
limit(version) := product([2 | some _ in numbers.range(1, 32 - data.idp_config.public_ingress_limit.ipv4)]) if version == 4

limit(version) := product([2 | some _ in numbers.range(1, 128 - data.idp_config.public_ingress_limit.ipv6)]) if version == 6

prefix(version) := data.idp_config.public_ingress_limit.ipv4 if version == 4

prefix(version) := data.idp_config.public_ingress_limit.ipv6 if version == 6

# Load balancers may take HTTP and HTTPS from anywhere.
exempt(grant) if {
	grant.load_balancer
	grant.from_port == grant.to_port
	grant.from_port in data.idp_config.load_balancer_public_ports
}

counted := [grant | some grant in input.facts.ingress; not exempt(grant)]

group_cidrs(group) := {cidr | some grant in counted; grant.group == group; some cidr in grant.cidrs}

public_of(group, version) := sum([fact.public | some cidr in group_cidrs(group); fact := input.facts.cidrs[cidr]; fact.version == version])

violations contains v if {
	some grant in counted
	some version in {4, 6}
	total := public_of(grant.group, version)
	total > limit(version)
	ranges := [cidr | some cidr in grant.cidrs; fact := input.facts.cidrs[cidr]; fact.version == version; fact.public > 0]
	count(ranges) > 0
	ports := sprintf("%v-%v", [grant.from_port, grant.to_port])
	v := {
		"resource": grant.resource,
		"attribute": grant.attribute,
		"value": concat("", [concat(", ", ranges), " to ports ", ports]),
		"message": concat("", [grant.resource, " admits ", concat(", ", ranges), " on ports ", ports, ": its group is open to ", sprintf("%v public addresses, more than a /%v.", [total, prefix(version)])]),
		"remediation": "Replace these ranges with the networks that really need access, such as your VPC or VPN range (e.g. 10.0.0.0/8).",
	}
}

violations contains v if {
	some grant in input.facts.ingress
	some cidr in grant.cidrs
	not input.facts.cidrs[cidr].valid
	v := {
		"resource": grant.resource,
		"attribute": grant.attribute,
		"value": cidr,
		"message": concat("", [grant.resource, " names ", cidr, ", which is not an address range."]),
		"remediation": "Write the range with ASCII digits, octets from 0 to 255 and a prefix length, e.g. 10.20.0.0/16.",
	}
}

violations contains v if {
	some grant in counted
	grant.unknown
	v := {
		"resource": grant.resource,
		"attribute": grant.attribute,
		"value": "not known at plan time",
		"message": concat("", [grant.resource, " admits address ranges that are not known at plan time, so they cannot be checked."]),
		"remediation": "Write the ranges as values (a variable or a literal), not as the output of another resource.",
	}
}
