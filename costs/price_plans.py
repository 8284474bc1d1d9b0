"""What to ask the Price List Query API for each key of the price file: one query plan per price.

Plain Python. A plan is a service code, TERM_MATCH filters (the region's `regionCode` last) and,
for product families that hold several usage types (NAT gateway hours and bytes, ELB hours and
capacity units...), the usage type to pick from the answer. Filter names and values are AWS's own.

The fixtures (costs/tests/fixtures/pricing/README.md) hold real documents for EC2 instances, NAT
gateways and load balancers, and partly reconstructed ones for RDS instances, Redshift nodes and SQS.
The other plans (EBS, RDS storage, Redshift managed storage, public IPv4, S3, SNS, KMS, WAF,
CloudWatch, Secrets Manager, Glue, Step Functions, SageMaker) follow the attribute values and usage
types that public code and billing data reading the same API show; should AWS answer one of them
differently, `update_prices` names the key and keeps its old value, it never guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PAGE_SIZE = 100  # the API's maximum


@dataclass(frozen=True)
class Query:
    service: str
    filters: tuple[tuple[str, str], ...]

    def request(self) -> dict:
        return {
            "ServiceCode": self.service,
            "Filters": [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in self.filters],
            "FormatVersion": "aws_v1",
            "MaxResults": PAGE_SIZE,
        }

    def __str__(self) -> str:
        return f"{self.service} " + ", ".join(f"{name}={value}" for name, value in self.filters)


@dataclass(frozen=True)
class Plan:
    region: str
    path: tuple[str, ...]  # under regions.<region>, e.g. ("ec2_instance_hour", "t3.micro")
    query: Query
    usagetype: str | None = None  # wanted usage type without its region prefix; None: the filters suffice
    per: int = 1  # the file's unit in requests (per 1,000, 10,000 or million); AWS prices one request

    @property
    def key(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Source:
    service: str
    filters: dict
    usagetype: str | None = None
    per: int = 1


EC2_LINUX_ON_DEMAND = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",  # else SQL Server and other bundles
    "capacitystatus": "Used",  # else capacity-reservation rows, priced 0
    "licenseModel": "No License required",
    "marketoption": "OnDemand",  # else Capacity Block rows of the same type
}
RDS_ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}
RDS_DEPLOYMENTS = {"single_az": "Single-AZ", "multi_az": "Multi-AZ"}
# RDS storage products share one family per deployment; the usage type names the volume type.
RDS_STORAGE_USAGE = {"gp2": "GP2-Storage", "gp3": "GP3-Storage", "io1": "PIOPS-Storage"}
LB_FAMILIES = {"application": "Load Balancer-Application", "network": "Load Balancer-Network"}

SOURCES: dict[str, Source] = {
    "nat_gateway_hour": Source("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Hours"),
    "nat_gateway_data_gb": Source("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Bytes"),
    # Public IPv4 moved to AmazonVPC in 2024; these products have no productFamily, only this group.
    "public_ipv4_address_hour": Source("AmazonVPC", {"group": "VPCPublicIPv4Address"}, "PublicIPv4:InUseAddress"),
    "redshift_managed_storage_gb_month": Source("AmazonRedshift", {"productFamily": "Redshift Managed Storage"}),
    "kms_key_month": Source("awskms", {}, "KMS-Keys"),
    "kms_requests_per_10k": Source("awskms", {}, "KMS-Requests", per=10_000),
    "waf_web_acl_month": Source("awswaf", {"productFamily": "Web Application Firewall"}, "WebACLV2"),
    "waf_rule_month": Source("awswaf", {"productFamily": "Web Application Firewall"}, "RuleV2"),
    "waf_requests_per_million": Source(
        "awswaf", {"productFamily": "Web Application Firewall"}, "RequestV2-Tier1", per=1_000_000
    ),
    "cloudwatch_logs_ingested_gb": Source(
        "AmazonCloudWatch", {"productFamily": "Data Payload"}, "DataProcessing-Bytes"
    ),
    "cloudwatch_logs_stored_gb_month": Source(
        "AmazonCloudWatch", {"productFamily": "Storage Snapshot"}, "TimedStorage-ByteHrs"
    ),
    "cloudwatch_alarm_month": Source("AmazonCloudWatch", {"productFamily": "Alarm"}, "CW:AlarmMonitorUsage"),
    # volumeType=Standard: Intelligent-Tiering overhead shares the TimedStorage-ByteHrs usage type.
    "s3_standard_gb_month": Source(
        "AmazonS3", {"productFamily": "Storage", "volumeType": "Standard"}, "TimedStorage-ByteHrs"
    ),
    "s3_put_requests_per_1k": Source("AmazonS3", {"productFamily": "API Request"}, "Requests-Tier1", per=1_000),
    "s3_get_requests_per_10k": Source("AmazonS3", {"productFamily": "API Request"}, "Requests-Tier2", per=10_000),
    # SQS names its standard-queue usage type differently per region (Requests-RBP, EU-Requests-Tier1):
    # the queue type filter alone must leave one price.
    "sqs_requests_per_million": Source(
        "AWSQueueService", {"productFamily": "API Request", "queueType": "Standard"}, per=1_000_000
    ),
    "sns_requests_per_million": Source("AmazonSNS", {"productFamily": "API Request"}, "Requests-Tier1", per=1_000_000),
    "secrets_manager_secret_month": Source(
        "AWSSecretsManager", {"productFamily": "Secret"}, "AWSSecretsManager-Secrets"
    ),
    # The notebook's ML volume (Notebook Instance ML storage on the bill); the usage type names it.
    "sagemaker_notebook_storage_gb_month": Source(
        "AmazonSageMaker", {"productFamily": "ML Storage"}, "Notebk:VolumeUsage.gp2"
    ),
    "glue_dpu_hour": Source("AWSGlue", {"productFamily": "AWS Glue"}, "ETL-DPU-Hour"),
    "step_functions_transitions_per_1k": Source(
        "AmazonStates", {"productFamily": "AWS Step Functions"}, "StateTransition", per=1_000
    ),
}


def _ec2_instance(kind: str) -> Source:
    return Source("AmazonEC2", {"productFamily": "Compute Instance", "instanceType": kind, **EC2_LINUX_ON_DEMAND})


def _ebs_volume(volume: str) -> Source:
    return Source("AmazonEC2", {"productFamily": "Storage", "volumeApiName": volume})


def _rds_instance(engine: str, deployment: str, kind: str) -> Source | None:
    if engine not in RDS_ENGINES or deployment not in RDS_DEPLOYMENTS:
        return None
    return Source(
        "AmazonRDS",
        {
            "productFamily": "Database Instance",
            "instanceType": kind,
            "databaseEngine": RDS_ENGINES[engine],
            "deploymentOption": RDS_DEPLOYMENTS[deployment],
        },
    )


def _rds_storage(deployment: str, volume: str) -> Source | None:
    if deployment not in RDS_DEPLOYMENTS or volume not in RDS_STORAGE_USAGE:
        return None
    multi = "Multi-AZ-" if deployment == "multi_az" else ""
    # Storage products are listed per engine; the file's storage prices serve the PostgreSQL patterns.
    family = {
        "productFamily": "Database Storage",
        "databaseEngine": "PostgreSQL",
        "deploymentOption": RDS_DEPLOYMENTS[deployment],
    }
    return Source("AmazonRDS", family, f"RDS:{multi}{RDS_STORAGE_USAGE[volume]}")


def _redshift_node(kind: str) -> Source:
    return Source("AmazonRedshift", {"productFamily": "Compute Instance", "instanceType": kind})


def _load_balancer(usagetype: str) -> Callable[[str], Source | None]:
    def source(kind: str) -> Source | None:
        return Source("AWSELB", {"productFamily": LB_FAMILIES[kind]}, usagetype) if kind in LB_FAMILIES else None

    return source


def _sagemaker(component: str) -> Callable[[str], Source]:
    # Most SageMaker products leave instanceType empty; the instance is in the usage type
    # (EU-Notebk:ml.t3.medium), so one region-wide family query serves every size.
    def source(kind: str) -> Source:
        return Source("AmazonSageMaker", {"productFamily": "ML Instance"}, f"{component}:{kind}")

    return source


# key -> (how many levels the key nests, the source for those levels' names)
SOURCES_BY_NAME: dict[str, tuple[int, Callable[..., Source | None]]] = {
    "ec2_instance_hour": (1, _ec2_instance),
    "ebs_gb_month": (1, _ebs_volume),
    "rds_instance_hour": (3, _rds_instance),
    "rds_storage_gb_month": (2, _rds_storage),
    "redshift_node_hour": (1, _redshift_node),
    "load_balancer_hour": (1, _load_balancer("LoadBalancerUsage")),
    "load_balancer_capacity_unit_hour": (1, _load_balancer("LCUUsage")),
    "sagemaker_notebook_hour": (1, _sagemaker("Notebk")),
    "sagemaker_training_hour": (1, _sagemaker("Train")),
}


def plan(region: str, path: tuple[str, ...]) -> Plan | None:
    """The query for one leaf of the price file, or None when no plan knows that key."""
    name, rest = path[0], path[1:]
    if not rest:
        source = SOURCES.get(name)
    else:
        depth, build = SOURCES_BY_NAME.get(name, (0, None))
        source = build(*rest) if build and depth == len(rest) else None
    if source is None:
        return None
    query = Query(source.service, (*source.filters.items(), ("regionCode", region)))
    return Plan(region, path, query, source.usagetype, source.per)
