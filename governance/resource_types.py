"""Terraform AWS resource types the approval rules may name.

A typo in a rule (`aws_secuirty_group`) would silently never match, letting
changes through unreviewed; rules are therefore checked against this list.
Add a type here when a pattern starts using it.
"""

_NAMES = """
    aws_vpc aws_subnet aws_internet_gateway aws_nat_gateway aws_eip aws_route aws_route_table
    aws_route_table_association aws_security_group aws_security_group_rule aws_vpc_peering_connection
    aws_vpc_endpoint aws_network_acl aws_network_acl_rule aws_vpc_security_group_ingress_rule
    aws_vpc_security_group_egress_rule
    aws_lb aws_lb_listener aws_lb_listener_rule aws_lb_target_group aws_lb_target_group_attachment
    aws_wafv2_web_acl aws_wafv2_web_acl_association aws_wafv2_ip_set aws_wafv2_rule_group
    aws_iam_role aws_iam_policy aws_iam_role_policy aws_iam_role_policy_attachment aws_iam_user
    aws_iam_group aws_iam_instance_profile aws_iam_user_policy aws_iam_access_key
    aws_kms_key aws_kms_alias aws_kms_key_policy aws_kms_grant
    aws_instance aws_launch_template aws_autoscaling_group aws_ebs_volume aws_key_pair
    aws_s3_bucket aws_s3_bucket_server_side_encryption_configuration aws_s3_bucket_public_access_block
    aws_s3_bucket_versioning aws_s3_bucket_policy aws_s3_bucket_lifecycle_configuration aws_s3_bucket_acl
    aws_s3_bucket_logging
    aws_db_instance aws_db_subnet_group aws_db_parameter_group aws_rds_cluster aws_rds_cluster_instance
    aws_redshift_cluster aws_redshift_subnet_group aws_redshift_parameter_group aws_redshift_logging
    aws_cloudwatch_log_group aws_cloudwatch_metric_alarm aws_cloudwatch_event_rule aws_cloudwatch_event_target
    aws_sfn_state_machine
    aws_sqs_queue aws_sqs_queue_policy aws_sns_topic aws_sns_topic_subscription aws_sns_topic_policy
    aws_secretsmanager_secret aws_secretsmanager_secret_version aws_ecs_cluster aws_ecs_service
    aws_ecs_task_definition aws_ecr_repository aws_elasticache_cluster aws_elasticache_subnet_group
    aws_lambda_function aws_lambda_permission aws_route53_record aws_route53_zone aws_acm_certificate
    aws_sagemaker_notebook_instance aws_cloudwatch_event_rule aws_cloudwatch_event_target
    """
KNOWN_RESOURCE_TYPES = frozenset(_NAMES.split())
