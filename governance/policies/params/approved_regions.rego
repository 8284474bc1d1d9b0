package idp.params.approved_regions

import rego.v1

metadata := {
	"id": "params-approved-regions",
	"title": "Only approved regions",
	"severity": "deny",
	"rationale": "Customer data must stay in the EU (data-residency commitment); other regions are not covered by our contracts.",
	"remediation": "Choose one of the approved regions.",
	"field": "region",
}

violations contains v if {
	region := input.request.parameters.region
	not region in data.idp_config.approved_regions
	v := {
		"value": region,
		"message": concat("", ["Region ", region, " is not approved; approved regions are ", concat(", ", data.idp_config.approved_regions), "."]),
		"remediation": concat("", ["Choose ", concat(" or ", data.idp_config.approved_regions), "."]),
	}
}
