"""The alarms an environment's pattern ships, as the environment page shows them.

A pattern that monitors what it builds publishes two outputs: ``alarms`` (the CloudWatch alarm
names) and ``alarm_topic_arn`` (the SNS topic they notify). On real AWS each alarm links to the
CloudWatch console of the environment's region; the sandbox cloud has no console, so only names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

CONSOLE = "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{name}"


@dataclass(frozen=True)
class Alarm:
    name: str
    console_url: str | None


@dataclass(frozen=True)
class Monitoring:
    alarms: list[Alarm]
    topic_arn: str | None


def monitoring(outputs: dict | None, parameters: dict | None, *, sandbox: bool) -> Monitoring | None:
    """None when the environment's outputs name no alarms (older patterns, nothing applied yet)."""
    names = (outputs or {}).get("alarms")
    if not isinstance(names, list) or not names:
        return None
    region = (parameters or {}).get("region")
    links = not sandbox and isinstance(region, str) and bool(region)
    alarms = [
        Alarm(name, CONSOLE.format(region=quote(region, safe=""), name=quote(name, safe="")) if links else None)
        for name in names
        if isinstance(name, str)
    ]
    topic = (outputs or {}).get("alarm_topic_arn")
    return Monitoring(alarms, topic if isinstance(topic, str) else None)
