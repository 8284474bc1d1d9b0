"""Resources in the cloud that lack a mandatory tag, found with the Resource Groups Tagging API.

Whatever created them (the portal, a console click, another tool), an untagged resource is spend
nobody is billed for. Cached for a few minutes: the organisation page must not hammer the API.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache

from governance import policy

CACHE_SECONDS = 900  # beat refreshes every 300 s: a missed round still shows the last answer


def mandatory_tags() -> list[str]:
    return list(policy.current_policy_set().data.get("mandatory_tags", []))


def regions() -> list[str]:
    return list(policy.current_policy_set().data.get("approved_regions", [settings.AWS_DEFAULT_REGION]))


def _client(region: str):
    options = {"region_name": region}
    if settings.SANDBOX_CLOUD:
        options.update(
            endpoint_url=settings.AWS_ENDPOINT_URL, aws_access_key_id="sandbox", aws_secret_access_key="sandbox"
        )
    return boto3.client("resourcegroupstaggingapi", **options)


CACHE_KEY = "tag-audit:untagged"
NOT_COLLECTED = {
    "resources": [],
    "count": 0,
    "error": "not collected yet: the workers, which hold the cloud credentials, list untagged resources every "
    "few minutes.",
}


def untagged_resources(limit: int = 200) -> dict:
    """{"resources": [{arn, region, missing}], "error": str} for every resource missing a mandatory tag.

    Where the web process holds no cloud credentials (production: only the workers do), it reads what the
    beat task `audit_tags_task` collected; the sandbox demo asks the API itself."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    if not settings.CLOUD_CALLS_IN_WEB:
        return NOT_COLLECTED
    return collect(limit)


def collect(limit: int = 200) -> dict:
    """Ask the Resource Groups Tagging API (worker side) and keep the answer for the pages."""
    required, found, errors, seen = mandatory_tags(), [], [], set()
    for region in regions():
        try:
            for page in _client(region).get_paginator("get_resources").paginate(ResourcesPerPage=100):
                for item in page.get("ResourceTagMappingList", []):
                    if item["ResourceARN"] in seen:
                        continue  # global resources (S3 buckets) are listed in every region
                    seen.add(item["ResourceARN"])
                    tags = {t["Key"] for t in item.get("Tags", [])}
                    missing = [tag for tag in required if tag not in tags]
                    if missing:
                        found.append({"arn": item["ResourceARN"], "region": region, "missing": missing})
        except (BotoCoreError, ClientError) as exc:
            errors.append(f"{region}: {exc}")
    result = {"resources": found[:limit], "count": len(found), "error": "; ".join(errors)}
    cache.set(CACHE_KEY, result, CACHE_SECONDS)
    return result
