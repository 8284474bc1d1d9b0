package idp.plan.mandatory_tags

import rego.v1

metadata := {
	"id": "plan-mandatory-tags",
	"title": "Every taggable resource carries the mandatory tags",
	"severity": "deny",
	"rationale": "Tags drive cost allocation and ownership; an untagged resource is an orphan nobody pays for.",
	"remediation": "Tag the resource from var.tags (the portal sets team, project, cost-centre and environment).",
}

required := data.idp_config.mandatory_tags

# input.facts.tags: what each taggable resource will carry, provider default_tags included.
# A tag whose value is computed counts as present; a tag nobody can know at plan time does not.
missing(tags) := [tag | some tag in required; not tags.values[tag]; not tag in tags.unknown]

violations contains v if {
	some address, tags in input.facts.tags
	gaps := missing(tags)
	count(gaps) > 0
	tags.complete
	v := {
		"resource": address,
		"attribute": "tags_all",
		"value": concat(", ", gaps),
		"message": concat("", [address, " lacks the tag(s) ", concat(", ", gaps), "."]),
	}
}

violations contains v if {
	some address, tags in input.facts.tags
	gaps := missing(tags)
	count(gaps) > 0
	not tags.complete
	v := {
		"resource": address,
		"attribute": "tags_all",
		"value": concat(", ", gaps),
		"message": concat("", [address, " does not show the tag(s) ", concat(", ", gaps), ": they are not known at plan time."]),
		"remediation": "Set these tags as plain values in var.tags or the provider's default_tags, so the plan shows them.",
	}
}
