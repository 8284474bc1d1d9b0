package idp.plan.s3_public_access_blocked

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-s3-public-access-blocked",
	"title": "Buckets block all public access",
	"severity": "deny",
	"rationale": "Public buckets are the most common cause of cloud data leaks.",
	"remediation": "Add an aws_s3_bucket_public_access_block with all four settings true.",
}

flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

violations contains v if {
	some rc in tf.resources_of_type("aws_s3_bucket")
	count(tf.attached(rc, "aws_s3_bucket_public_access_block", "bucket", "bucket")) == 0
	not existing_block(rc)
	v := {
		"resource": rc.address,
		"attribute": "public_access_block",
		"value": "none",
		"message": sprintf("Bucket %s has no public access block.", [rc.address]),
	}
}

# A block that stays unchanged (no-op) still protects the bucket.
existing_block(rc) if {
	some other in input.plan.resource_changes
	other.type == "aws_s3_bucket_public_access_block"
	other.change.actions == ["no-op"]
	other.change.after.bucket == rc.change.after.bucket
}

violations contains v if {
	some rc in tf.resources_of_type("aws_s3_bucket_public_access_block")
	some flag in flags
	not rc.change.after[flag] == true
	v := {
		"resource": rc.address,
		"attribute": flag,
		"value": sprintf("%v", [object.get(rc.change.after, flag, null)]),
		"message": concat("", [rc.address, " leaves ", flag, " off."]),
		"remediation": concat("", ["Set ", flag, " = true."]),
	}
}
