package idp.plan.approved_regions

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-approved-regions",
	"title": "Resources only in approved regions",
	"severity": "deny",
	"rationale": "Customer data must stay in the EU (data-residency commitment).",
	"remediation": "Choose an approved region.",
	"field": "region",
}

violations contains v if {
	region := input.plan.variables.idp_region.value
	not region in data.idp_config.approved_regions
	v := {
		"resource": "provider.aws",
		"attribute": "region",
		"value": region,
		"message": concat("", ["The plan deploys to ", region, "; approved regions are ", concat(", ", data.idp_config.approved_regions), "."]),
	}
}

violations contains v if {
	some rc in tf.resources
	zone := rc.change.after.availability_zone
	is_string(zone)
	not approved_zone(zone)
	v := {
		"resource": rc.address,
		"attribute": "availability_zone",
		"value": zone,
		"message": sprintf("%s is placed in %s, outside the approved regions.", [rc.address, zone]),
	}
}

approved_zone(zone) if {
	some region in data.idp_config.approved_regions
	startswith(zone, region)
}
