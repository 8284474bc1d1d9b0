package idp.plan.no_open_ingress

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-no-open-ingress",
	"title": "No ingress from the whole internet",
	"severity": "deny",
	"rationale": "Only load balancers face the internet, and only on HTTP and HTTPS; everything else sits behind them or a VPN.",
	"remediation": "Restrict the source to your VPC, office or VPN ranges.",
}

open_ranges := {"0.0.0.0/0", "::/0"}

sources(entry) := [cidr | some key in ["cidr_blocks", "ipv6_cidr_blocks"]; some cidr in object.get(entry, key, [])]

# Ports 80 and 443 may be open to the world on security groups that load balancers use.
load_balancer_port(rc, entry) if {
	entry.from_port == entry.to_port
	entry.from_port in data.idp_config.load_balancer_public_ports
	tf.referenced_by(rc, "aws_lb", "security_groups")
}

violations contains v if {
	some rc in tf.resources_of_type("aws_security_group")
	some ingress in rc.change.after.ingress
	some cidr in sources(ingress)
	cidr in open_ranges
	not load_balancer_port(rc, ingress)
	v := {
		"resource": rc.address,
		"attribute": "ingress.cidr_blocks",
		"value": sprintf("%s to ports %v-%v", [cidr, ingress.from_port, ingress.to_port]),
		"message": sprintf("%s admits %s on ports %v-%v.", [rc.address, cidr, ingress.from_port, ingress.to_port]),
		"remediation": "Replace 0.0.0.0/0 with the networks that really need access, such as your VPC or VPN range (e.g. 10.0.0.0/8).",
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_security_group_rule")
	rc.change.after.type == "ingress"
	some cidr in sources(rc.change.after)
	cidr in open_ranges
	v := {
		"resource": rc.address,
		"attribute": "cidr_blocks",
		"value": sprintf("%s to ports %v-%v", [cidr, rc.change.after.from_port, rc.change.after.to_port]),
		"message": sprintf("%s admits %s.", [rc.address, cidr]),
		"remediation": "Replace 0.0.0.0/0 with the networks that really need access.",
	}
}
