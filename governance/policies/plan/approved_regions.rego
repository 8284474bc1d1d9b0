package idp.plan.approved_regions

import rego.v1

metadata := {
	"id": "plan-approved-regions",
	"title": "Resources only in approved regions",
	"severity": "deny",
	"rationale": "Customer data must stay in the EU (data-residency commitment).",
	"remediation": "Choose an approved region.",
	"field": "region",
}

# Every place the plan says where it deploys: the portal's region, each aws provider's region,
# a resource's own `region` (provider v6) and availability zones (see governance/plan_facts.py).
violations contains v if {
	some place in input.facts.regions
	not place.region in data.idp_config.approved_regions
	v := {
		"resource": place.resource,
		"attribute": place.attribute,
		"value": place.region,
		"message": concat("", [place.resource, " deploys to ", place.region, "; approved regions are ", concat(", ", data.idp_config.approved_regions), "."]),
	}
}
