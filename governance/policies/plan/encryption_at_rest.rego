package idp.plan.encryption_at_rest

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-encryption-at-rest",
	"title": "Data is encrypted at rest",
	"severity": "deny",
	"rationale": "Our security standard and customer contracts require encryption at rest for every data store.",
	"remediation": "Turn encryption on for the resource (this is part of the pattern; ask the platform team if you cannot change it).",
}

violations contains v if {
	some rc in tf.resources_of_type("aws_s3_bucket")
	count(tf.attached(rc, "aws_s3_bucket_server_side_encryption_configuration", "bucket", "bucket")) == 0
	not inline_encryption(rc)
	v := {
		"resource": rc.address,
		"attribute": "server_side_encryption_configuration",
		"value": "none",
		"message": sprintf("Bucket %s has no server-side encryption configuration.", [rc.address]),
		"remediation": "Add an aws_s3_bucket_server_side_encryption_configuration with aws:kms or AES256 for this bucket.",
	}
}

# Provider v3 wrote the encryption inside the bucket; later versions keep it, read-only, when set there.
inline_encryption(rc) if {
	some config in rc.change.after.server_side_encryption_configuration
	some sse_rule in config.rule
	some by_default in sse_rule.apply_server_side_encryption_by_default
	by_default.sse_algorithm in {"aws:kms", "aws:kms:dsse", "AES256"}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_s3_bucket_server_side_encryption_configuration")
	some sse_rule in rc.change.after.rule
	some by_default in sse_rule.apply_server_side_encryption_by_default
	not by_default.sse_algorithm in {"aws:kms", "aws:kms:dsse", "AES256"}
	v := {
		"resource": rc.address,
		"attribute": "rule.apply_server_side_encryption_by_default.sse_algorithm",
		"value": sprintf("%v", [by_default.sse_algorithm]),
		"message": "Unknown server-side encryption algorithm.",
		"remediation": "Use aws:kms or AES256.",
	}
}

flag_off(rc, attribute) := v if {
	not rc.change.after[attribute] == true
	v := {
		"resource": rc.address,
		"attribute": attribute,
		"value": sprintf("%v", [object.get(rc.change.after, attribute, null)]),
		"message": concat("", [rc.address, " has ", attribute, " switched off."]),
		"remediation": concat("", ["Set ", attribute, " = true."]),
	}
}

violations contains flag_off(rc, "storage_encrypted") if some rc in tf.resources_of_types({"aws_db_instance", "aws_rds_cluster"})

violations contains flag_off(rc, "encrypted") if some rc in tf.resources_of_type("aws_redshift_cluster")

violations contains flag_off(rc, "encrypted") if some rc in tf.resources_of_type("aws_ebs_volume")

key_set(rc, attribute) if {
	value := rc.change.after[attribute]
	value != null
	value != ""
}

key_set(rc, attribute) if rc.change.after_unknown[attribute] == true

sse_value(rc) := "not known at plan time" if {
	rc.change.after_unknown.sqs_managed_sse_enabled == true
} else := sprintf("%v", [object.get(rc.change.after, "sqs_managed_sse_enabled", null)])

violations contains v if {
	some rc in tf.resources_of_type("aws_sqs_queue")
	not rc.change.after.sqs_managed_sse_enabled == true
	not key_set(rc, "kms_master_key_id")
	v := {
		"resource": rc.address,
		"attribute": "sqs_managed_sse_enabled",
		"value": sse_value(rc),
		"message": sprintf("Queue %s is not declared encrypted.", [rc.address]),
		"remediation": "Set sqs_managed_sse_enabled = true or a kms_master_key_id.",
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_sns_topic")
	not key_set(rc, "kms_master_key_id")
	v := {
		"resource": rc.address,
		"attribute": "kms_master_key_id",
		"value": "none",
		"message": sprintf("Topic %s is not encrypted.", [rc.address]),
		"remediation": "Set kms_master_key_id, e.g. alias/aws/sns.",
	}
}

# CloudWatch Logs encrypts every log group at rest with a service key. Data classified public or
# internal needs nothing more; confidential, restricted or unknown data needs a customer-managed key.
service_key_is_enough if {
	object.get(object.get(input, "request", {}), "data_classification", "") in {"public", "internal"}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_cloudwatch_log_group")
	not key_set(rc, "kms_key_id")
	not service_key_is_enough
	v := {
		"resource": rc.address,
		"attribute": "kms_key_id",
		"value": "none",
		"message": sprintf("Log group %s holds confidential data but is not encrypted with a KMS key.", [rc.address]),
		"remediation": "Set kms_key_id to a customer-managed key.",
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_instance")
	count(object.get(rc.change.after, "root_block_device", [])) == 0
	v := {
		"resource": rc.address,
		"attribute": "root_block_device.encrypted",
		"value": "not set",
		"message": sprintf("Instance %s does not declare an encrypted root volume.", [rc.address]),
		"remediation": "Add root_block_device { encrypted = true }.",
	}
}

violations contains v if {
	some rc in tf.resources_of_type("aws_instance")
	some device in rc.change.after.root_block_device
	not device.encrypted == true
	v := {
		"resource": rc.address,
		"attribute": "root_block_device.encrypted",
		"value": sprintf("%v", [object.get(device, "encrypted", null)]),
		"message": sprintf("The root volume of %s is not encrypted.", [rc.address]),
		"remediation": "Set root_block_device { encrypted = true }.",
	}
}

# A notebook's ML volume is encrypted with an AWS-owned key unless a key is named: data classified
# above internal needs a key the account controls, and the pattern names its own.
violations contains v if {
	some rc in tf.resources_of_type("aws_sagemaker_notebook_instance")
	not key_set(rc, "kms_key_id")
	v := {
		"resource": rc.address,
		"attribute": "kms_key_id",
		"value": "none",
		"message": sprintf("The volume of notebook %s is not encrypted with a KMS key of the account.", [rc.address]),
		"remediation": "Set kms_key_id to a customer-managed key.",
	}
}
