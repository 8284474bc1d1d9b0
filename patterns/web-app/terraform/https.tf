# Encryption in transit: HTTPS with a TLS 1.2+ policy, plain HTTP only ever redirected to HTTPS.
#
# The certificate comes from ACM. Given a Route 53 hosted zone (dns_zone_id) and a domain name in
# it, the certificate is validated by DNS: the validation record is written into the zone and the
# listener waits until ACM has issued it. Without a zone the certificate is requested for
# <name>.idp.internal; in the sandbox cloud it is issued at once (signed by the sandbox's own
# authority, so browsers will warn); on AWS give a zone, ACM issues no certificate for that name.

locals {
  validate_by_dns = var.dns_zone_id != ""
  domain_name     = var.domain_name != "" ? var.domain_name : "${var.name}.idp.internal"
}

resource "aws_acm_certificate" "this" {
  domain_name       = local.domain_name
  validation_method = "DNS"
  tags              = merge(var.tags, { Name = var.name })

  # A new certificate is issued and attached before the old one goes: the listener is never without one.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  count           = local.validate_by_dns ? 1 : 0
  zone_id         = var.dns_zone_id
  name            = tolist(aws_acm_certificate.this.domain_validation_options)[0].resource_record_name
  type            = tolist(aws_acm_certificate.this.domain_validation_options)[0].resource_record_type
  records         = [tolist(aws_acm_certificate.this.domain_validation_options)[0].resource_record_value]
  ttl             = 60
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = local.validate_by_dns ? [aws_route53_record.certificate_validation[0].fqdn] : null
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06" # TLS 1.3 and 1.2 only
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}
