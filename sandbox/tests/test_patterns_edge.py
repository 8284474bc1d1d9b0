"""Acceptance: shipped patterns that use load balancers, WAF and messaging, run end to end
through terraform against the sandbox cloud exactly as the portal runs them: the root module
and tfvars come from provisioning.terraform.workspace, the variables are name, tier, tags and
each parameter's default from the pattern's pattern.yaml. Plan, apply, re-plan (no changes),
destroy.
"""

import json
from types import SimpleNamespace

import pytest

from .helpers import no_changes, pattern_workspace, planned

pytestmark = pytest.mark.integration


def portal_tags(slug: str, name: str) -> dict[str, str]:
    """Tags the portal puts on every environment (provider default_tags and the `tags` variable)."""
    return {
        "team": "payments",
        "project": "acceptance",
        "cost-centre": "CC-1001",
        "environment": "dev",
        "managed-by": "idp-portal",
        "idp:environment": name,
        "pattern": f"{slug}@1.0.0",
        "expires-on": "2030-01-01",
    }


def run_pattern(tmp_path_factory, terraform_env, moto_endpoint, slug: str, name: str) -> SimpleNamespace:
    tmp_path = tmp_path_factory.mktemp(slug)
    tf, spec, _ = pattern_workspace(tmp_path, terraform_env, moto_endpoint, slug, name, "dev", portal_tags(slug, name))
    plan = tf.plan_json()
    tf.apply_saved_plan()
    return SimpleNamespace(tf=tf, plan=plan, outputs=tf.outputs(), spec=spec, name=name)


# -- message-queue --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def message_queue(tmp_path_factory, terraform_env, moto_endpoint):
    return run_pattern(tmp_path_factory, terraform_env, moto_endpoint, "message-queue", "acc-mq-1")


def test_message_queue_plan_shows_encryption_and_portal_tags(message_queue):
    plan, tags = message_queue.plan, message_queue.spec.default_tags

    main = planned(plan, "module.pattern.aws_sqs_queue.main")
    topic = planned(plan, "module.pattern.aws_sns_topic.events")
    assert main["sqs_managed_sse_enabled"] is True
    assert main["message_retention_seconds"] == 4 * 86400
    assert main["visibility_timeout_seconds"] == 30
    assert main["tags_all"] == {**tags, "Name": "acc-mq-1"}
    assert planned(plan, "module.pattern.aws_sqs_queue.dead_letter")["sqs_managed_sse_enabled"] is True
    assert topic["kms_master_key_id"] == "alias/aws/sns"
    assert topic["tags_all"] == {**tags, "Name": "acc-mq-1-events"}
    assert planned(plan, "module.pattern.aws_sns_topic_subscription.main")["raw_message_delivery"] is True


def test_message_queue_apply_builds_encrypted_wired_queues(message_queue, aws):
    sqs, sns = aws("sqs"), aws("sns")
    outputs = message_queue.outputs

    main = sqs.get_queue_attributes(QueueUrl=outputs["queue_url"], AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=outputs["dead_letter_queue_url"], AttributeNames=["All"])["Attributes"]
    assert main["SqsManagedSseEnabled"] == "true" and dlq["SqsManagedSseEnabled"] == "true"
    assert json.loads(main["RedrivePolicy"]) == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 5}
    statement = json.loads(main["Policy"])["Statement"][0]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == outputs["topic_arn"]
    # TLS only: both queues and both topics deny any request that does not come over TLS
    topic_policies = [
        sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"]
        for arn in (outputs["topic_arn"], outputs["alarm_topic_arn"])
    ]
    for policy in [main["Policy"], dlq["Policy"], *topic_policies]:
        deny = {s["Sid"]: s for s in json.loads(policy)["Statement"]}["DenyWithoutTLS"]
        assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alarm_policy = {s["Sid"]: s for s in json.loads(topic_policies[1])["Statement"]}
    assert alarm_policy["CloudWatchPublishes"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sqs.list_queue_tags(QueueUrl=outputs["queue_url"])["Tags"]["cost-centre"] == "CC-1001"
    assert sns.get_topic_attributes(TopicArn=outputs["topic_arn"])["Attributes"]["KmsMasterKeyId"] == "alias/aws/sns"
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=outputs["topic_arn"])["Subscriptions"]
    assert [s["Endpoint"] for s in subscriptions] == [main["QueueArn"]]
    # A message published on the topic reaches the queue, raw.
    sns.publish(TopicArn=outputs["topic_arn"], Message="hello")
    received = sqs.receive_message(QueueUrl=outputs["queue_url"], WaitTimeSeconds=1)["Messages"]
    assert received[0]["Body"] == "hello"


def test_message_queue_raises_its_alarms_to_a_topic_under_the_platform_key(message_queue, aws):
    outputs = message_queue.outputs

    alarms = aws("cloudwatch").describe_alarms(AlarmNames=outputs["alarms"])["MetricAlarms"]

    by_metric = {a["MetricName"]: a for a in alarms}
    oldest, dead = by_metric["ApproximateAgeOfOldestMessage"], by_metric["ApproximateNumberOfMessagesVisible"]
    assert oldest["Dimensions"] == [{"Name": "QueueName", "Value": "acc-mq-1"}] and oldest["Threshold"] == 900
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": "acc-mq-1-dlq"}] and dead["Threshold"] == 0
    assert all(a["AlarmActions"] == a["OKActions"] == [outputs["alarm_topic_arn"]] for a in alarms)
    topic = aws("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    platform_key = aws("kms").describe_key(KeyId="alias/idp-platform-alarms")["KeyMetadata"]
    assert topic["KmsMasterKeyId"] == platform_key["Arn"]
    assert "aws_kms_key" not in {c["type"] for c in message_queue.plan["resource_changes"]}


def test_message_queue_replan_has_no_changes(message_queue):
    assert no_changes(message_queue.tf)


def test_message_queue_destroy_removes_everything(message_queue, aws):
    sqs, sns = aws("sqs"), aws("sns")

    message_queue.tf.run("destroy", "-input=false", "-auto-approve")

    assert sqs.list_queues(QueueNamePrefix="acc-mq-1").get("QueueUrls", []) == []
    assert message_queue.outputs["topic_arn"] not in {t["TopicArn"] for t in sns.list_topics()["Topics"]}


# -- web-app --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web_app(tmp_path_factory, terraform_env, moto_endpoint):
    return run_pattern(tmp_path_factory, terraform_env, moto_endpoint, "web-app", "acc-web-2")


def test_web_app_plan_shows_what_policies_read(web_app):
    plan, tags = web_app.plan, web_app.spec.default_tags

    lb = planned(plan, "module.pattern.aws_lb.this")
    assert lb["internal"] is False
    assert lb["load_balancer_type"] == "application"
    assert lb["tags_all"] == {**tags, "Name": "acc-web-2"}
    acl = planned(plan, "module.pattern.aws_wafv2_web_acl.this")
    assert acl["scope"] == "REGIONAL"
    managed = {r["name"]: r["statement"][0]["managed_rule_group_statement"][0]["name"] for r in acl["rule"]}
    # the common rules, and the known bad inputs (Log4j's JNDI lookups among them)
    assert managed == {
        "aws-common-rules": "AWSManagedRulesCommonRuleSet",
        "aws-known-bad-inputs": "AWSManagedRulesKnownBadInputsRuleSet",
    }
    tg = planned(plan, "module.pattern.aws_lb_target_group.app")
    assert (tg["port"], tg["health_check"][0]["path"]) == (8080, "/health")
    assert lb["drop_invalid_header_fields"] is True
    https = planned(plan, "module.pattern.aws_lb_listener.https")
    assert (https["port"], https["protocol"]) == (443, "HTTPS")
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    http = planned(plan, "module.pattern.aws_lb_listener.http")
    redirect = http["default_action"][0]["redirect"][0]
    assert (redirect["protocol"], redirect["port"], redirect["status_code"]) == ("HTTPS", "443", "HTTP_301")
    assert planned(plan, "module.pattern.aws_acm_certificate.this")["domain_name"] == "acc-web-2.idp.internal"


def test_web_app_apply_protects_the_load_balancer_with_the_web_acl(web_app, aws):
    elb, waf = aws("elbv2"), aws("wafv2")

    lb = elb.describe_load_balancers(Names=["acc-web-2"])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    acl = waf.get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]
    assert acl["Name"] == "acc-web-2"
    tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["cost-centre"] == "CC-1001"


def test_web_app_apply_serves_https_with_tls_1_2_and_redirects_http(web_app, aws):
    elb, acm = aws("elbv2"), aws("acm")

    lb = elb.describe_load_balancers(Names=["acc-web-2"])["LoadBalancers"][0]
    assert f"https://{lb['DNSName']}" == web_app.outputs["url"]
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    assert {a["Key"]: a["Value"] for a in attributes}["routing.http.drop_invalid_header_fields.enabled"] == "true"
    listeners = {li["Port"]: li for li in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert sorted(listeners) == [80, 443]
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["Certificates"][0]["CertificateArn"] == web_app.outputs["certificate_arn"]
    assert https["DefaultActions"][0]["TargetGroupArn"] == web_app.outputs["target_group_arn"]
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert (redirect["RedirectConfig"]["Port"], redirect["RedirectConfig"]["StatusCode"]) == ("443", "HTTP_301")
    certificate = acm.describe_certificate(CertificateArn=web_app.outputs["certificate_arn"])["Certificate"]
    assert (certificate["DomainName"], certificate["Status"]) == ("acc-web-2.idp.internal", "ISSUED")


def test_web_app_apply_logs_vpc_flows_and_closes_the_default_security_group(web_app, aws):
    ec2 = aws("ec2")

    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["acc-web-2"]}])["Vpcs"]
    [flow_log] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert (flow_log["TrafficType"], flow_log["LogDestinationType"]) == ("ALL", "s3")
    assert flow_log["LogDestination"] == f"arn:aws:s3:::{web_app.outputs['log_bucket']}"
    [default] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert (default["IpPermissions"], default["IpPermissionsEgress"]) == ([], [])


def test_web_app_apply_logs_load_balancer_and_waf_to_a_guarded_bucket(web_app, aws):
    elb, waf, s3 = aws("elbv2"), aws("wafv2"), aws("s3")
    bucket = web_app.outputs["edge_log_bucket"]

    lb = elb.describe_load_balancers(Names=["acc-web-2"])["LoadBalancers"][0]
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    attributes = {a["Key"]: a["Value"] for a in attributes}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert (attributes["access_logs.s3.bucket"], attributes["access_logs.s3.prefix"]) == (bucket, "alb")
    acl = waf.get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]
    logging = waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"] == [f"arn:aws:s3:::{bucket}"]
    assert [f["SingleHeader"]["Name"] for f in logging["RedactedFields"]] == ["authorization", "cookie"]
    for name in (bucket, web_app.outputs["log_bucket"]):
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        [rule] = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert (rule["Status"], rule["Expiration"]["Days"]) == ("Enabled", 30)  # dev keeps logs 30 days
        statements = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]
        [refuse] = [st for st in statements if st["Effect"] == "Deny"]
        assert refuse["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_web_app_apply_raises_its_alarms_to_an_encrypted_topic(web_app, aws):
    cloudwatch, sns = aws("cloudwatch"), aws("sns")
    topic_arn = web_app.outputs["alarm_topic_arn"]

    alarms = cloudwatch.describe_alarms(AlarmNamePrefix="acc-web-2-")["MetricAlarms"]

    by_metric = {a["MetricName"]: a for a in alarms}
    assert sorted(a["AlarmName"] for a in alarms) == sorted(web_app.outputs["alarms"])
    assert set(by_metric) == {
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_Target_5XX_Count",
        "UnHealthyHostCount",
        "CPUUtilization",
        "FreeStorageSpace",
        "DatabaseConnections",
    }
    assert all(a["AlarmActions"] == [topic_arn] and a["OKActions"] == [topic_arn] for a in alarms)
    assert by_metric["HTTPCode_ELB_5XX_Count"]["Threshold"] == 50.0  # dev tier
    assert by_metric["FreeStorageSpace"]["Threshold"] == 2 * 1024**3  # 10 % of the 20 GiB default
    assert by_metric["DatabaseConnections"]["Threshold"] == 65.0  # db.t3.micro
    assert by_metric["CPUUtilization"]["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "acc-web-2"}]
    unhealthy = {d["Name"] for d in by_metric["UnHealthyHostCount"]["Dimensions"]}
    assert unhealthy == {"LoadBalancer", "TargetGroup"}
    key = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["KmsMasterKeyId"]
    policy = aws("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    assert "cloudwatch.amazonaws.com" in policy  # CloudWatch may use the key to publish to the topic


def test_web_app_apply_exports_database_logs_to_encrypted_groups(web_app, aws):
    database = aws("rds").describe_db_instances(DBInstanceIdentifier="acc-web-2")["DBInstances"][0]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix="/aws/rds/instance/acc-web-2/")["logGroups"]

    assert sorted(database["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert sorted(g["logGroupName"] for g in groups) == [
        "/aws/rds/instance/acc-web-2/postgresql",
        "/aws/rds/instance/acc-web-2/upgrade",
    ]
    # under the database's own key, kept as long as the application's logs (the form's 30 days)
    assert {(g["kmsKeyId"], g["retentionInDays"]) for g in groups} == {(database["KmsKeyId"], 30)}


def test_web_app_replan_has_no_changes(web_app):
    assert no_changes(web_app.tf)


def test_web_app_destroy_removes_everything(web_app, aws):
    elb, waf = aws("elbv2"), aws("wafv2")

    web_app.tf.run("destroy", "-input=false", "-auto-approve")

    assert not [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == "acc-web-2"]
    assert not [a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == "acc-web-2"]
    arns = {c["CertificateArn"] for c in aws("acm").list_certificates()["CertificateSummaryList"]}
    assert web_app.outputs["certificate_arn"] not in arns
    assert aws("cloudwatch").describe_alarms(AlarmNamePrefix="acc-web-2-")["MetricAlarms"] == []


def test_web_app_with_a_zone_validates_its_certificate_by_dns(tmp_path_factory, terraform_env, moto_endpoint, aws):
    route53 = aws("route53")
    zone = route53.create_hosted_zone(Name="shop.example.com", CallerReference="acc-web-3")["HostedZone"]
    zone_id = zone["Id"].rsplit("/", 1)[-1]
    tmp_path = tmp_path_factory.mktemp("web-app-zone")
    tf, _, _ = pattern_workspace(
        tmp_path,
        terraform_env,
        moto_endpoint,
        "web-app",
        "acc-web-3",
        "dev",
        portal_tags("web-app", "acc-web-3"),
        domain_name="www.shop.example.com",
        dns_zone_id=zone_id,
        vpc_cidr="10.30.0.0/16",
        database_ingress_cidrs=["10.30.0.0/16"],
    )
    tf.plan_json()
    tf.apply_saved_plan()
    outputs = tf.outputs()

    certificate = aws("acm").describe_certificate(CertificateArn=outputs["certificate_arn"])["Certificate"]
    assert certificate["DomainName"] == "www.shop.example.com"
    record = certificate["DomainValidationOptions"][0]["ResourceRecord"]
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    cname = next(r for r in records if r["Type"] == "CNAME")
    assert cname["Name"].rstrip(".") == record["Name"].rstrip(".")
    assert cname["ResourceRecords"] == [{"Value": record["Value"]}]
    assert no_changes(tf)
    tf.run("destroy", "-input=false", "-auto-approve")
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert [r["Type"] for r in records if r["Type"] == "CNAME"] == []
