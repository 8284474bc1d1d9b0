package idp.plan.https_on_public_load_balancers

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-https-on-public-load-balancers",
	"title": "Internet-facing load balancers serve HTTPS and redirect HTTP to it",
	"severity": "deny",
	"rationale": "Our security standard requires encryption in transit: nothing reaches the application over the internet in clear text.",
	"remediation": "Give the load balancer an HTTPS listener (aws_lb_listener with protocol HTTPS, a certificate and a TLS 1.2+ ssl_policy) and make every HTTP listener redirect to HTTPS.",
}

listener_types := {"aws_lb_listener", "aws_alb_listener"}

public_albs contains rc if {
	some rc in tf.resources_of_types({"aws_lb", "aws_alb"}) # aws_alb is another name of aws_lb
	not rc.change.after.internal == true
	object.get(rc.change.after, "load_balancer_type", "application") == "application"
}

# The listeners (planned values) of a load balancer, however they refer to it.
listeners_of(rc) := {listener.change.after |
	some type in listener_types
	some listener in tf.present_of_type(type)
	tf.attaches(rc, listener, "load_balancer_arn", "arn")
}

violations contains v if {
	some rc in public_albs
	count({l | some l in listeners_of(rc); l.protocol == "HTTPS"}) == 0
	v := {
		"resource": rc.address,
		"attribute": "listener",
		"value": "no HTTPS listener",
		"message": sprintf("%s faces the internet without an HTTPS listener.", [rc.address]),
	}
}

violations contains v if {
	some rc in public_albs
	some listener in listeners_of(rc)
	not listener.protocol == "HTTPS"
	not redirects_to_https(listener)
	v := {
		"resource": rc.address,
		"attribute": "listener",
		"value": sprintf("port %v serves %v", [listener.port, object.get(listener, "protocol", "HTTP")]),
		"message": sprintf("%s serves plain HTTP instead of redirecting it to HTTPS.", [rc.address]),
	}
}

redirects_to_https(listener) if {
	some action in listener.default_action
	action.type == "redirect"
	some redirect in action.redirect
	redirect.protocol == "HTTPS"
}
