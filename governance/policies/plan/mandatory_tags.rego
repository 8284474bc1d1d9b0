package idp.plan.mandatory_tags

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-mandatory-tags",
	"title": "Every taggable resource carries the mandatory tags",
	"severity": "deny",
	"rationale": "Tags drive cost allocation and ownership; an untagged resource is an orphan nobody pays for.",
	"remediation": "Tag the resource from var.tags (the portal sets team, project, cost-centre and environment).",
}

required := data.idp_config.mandatory_tags

violations contains v if {
	some rc in tf.resources
	tags := rc.change.after.tags_all
	is_object(tags)
	missing := [tag | some tag in required; not tags[tag]]
	count(missing) > 0
	v := {
		"resource": rc.address,
		"attribute": "tags_all",
		"value": concat(", ", missing),
		"message": concat("", [rc.address, " lacks the tag(s) ", concat(", ", missing), "."]),
	}
}
