package idp.plan.sizes_per_tier

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-sizes-per-tier",
	"title": "Instance and database sizes allowed in the tier",
	"severity": "deny",
	"rationale": "Large sizes in short-lived tiers are the commonest surprise on the bill; production needs at least a small size.",
	"remediation": "Choose a size allowed in this tier (see the list in the message).",
}

sizes := data.idp_config.sizes[tf.tier]

not_allowed(rc, attribute, allowed) := v if {
	value := rc.change.after[attribute]
	is_string(value)
	not value in allowed
	v := {
		"resource": rc.address,
		"attribute": attribute,
		"value": value,
		"message": concat("", [value, " is not allowed in the ", tf.tier, " tier; allowed: ", concat(", ", allowed), "."]),
		"remediation": concat("", ["Choose one of ", concat(", ", allowed), "."]),
	}
}

violations contains not_allowed(rc, "instance_type", sizes.instance_types) if some rc in tf.resources_of_type("aws_instance")

violations contains not_allowed(rc, "instance_class", sizes.db_instance_classes) if some rc in tf.resources_of_type("aws_db_instance")

violations contains not_allowed(rc, "node_type", sizes.redshift_node_types) if some rc in tf.resources_of_type("aws_redshift_cluster")

violations contains not_allowed(rc, "instance_type", sizes.notebook_instance_types) if {
	some rc in tf.resources_of_type("aws_sagemaker_notebook_instance")
}

violations contains v if {
	some rc in tf.resources_of_type("aws_sagemaker_notebook_instance")
	rc.change.after.volume_size > sizes.max_notebook_volume_gb
	v := {
		"resource": rc.address,
		"attribute": "volume_size",
		"value": sprintf("%v GiB", [rc.change.after.volume_size]),
		"message": sprintf("The %s tier allows notebook volumes of at most %v GiB.", [tf.tier, sizes.max_notebook_volume_gb]),
		"remediation": sprintf("Use %v GiB or less.", [sizes.max_notebook_volume_gb]),
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_redshift_cluster")
	rc.change.after.number_of_nodes > sizes.redshift_max_nodes
	v := {
		"resource": rc.address,
		"attribute": "number_of_nodes",
		"value": sprintf("%v", [rc.change.after.number_of_nodes]),
		"message": sprintf("The %s tier allows at most %v nodes.", [tf.tier, sizes.redshift_max_nodes]),
		"remediation": sprintf("Use %v nodes or fewer.", [sizes.redshift_max_nodes]),
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_db_instance")
	rc.change.after.allocated_storage > sizes.max_db_storage_gb
	v := {
		"resource": rc.address,
		"attribute": "allocated_storage",
		"value": sprintf("%v GiB", [rc.change.after.allocated_storage]),
		"message": sprintf("The %s tier allows at most %v GiB of database storage.", [tf.tier, sizes.max_db_storage_gb]),
		"remediation": sprintf("Use %v GiB or less.", [sizes.max_db_storage_gb]),
	}
}
