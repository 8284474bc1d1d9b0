"""Which pool of workers runs an environment's Terraform: one pool per cloud account (or region).

A platform that keeps production in its own AWS account runs a pool of workers holding that account's
credentials on a queue of its own, and routes production there:

    IDP_RUN_QUEUES="tier=prod:idp-prod-account, region=us-east-1:idp-us, team=data:idp-data-account"

Rules are read in order and the first that matches wins; an environment no rule matches goes to the
default queue (CELERY_QUEUE). Keys: `tier`, `region` (the environment's `region` parameter, else
AWS_DEFAULT_REGION), `team` (its slug). Start a pool with `python -m idp_portal worker -Q <queue>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEYS = ("tier", "region", "team")
QUEUE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Route:
    key: str
    value: str
    queue: str


def parse(text: str) -> list[Route]:
    """'tier=prod:q1, region=us-east-1:q2' -> routes; a mistake raises with what to write instead."""
    routes = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        match = re.fullmatch(r"([a-z]+)=([^:=\s]+):(\S+)", item)
        if not match:
            raise ImproperlyConfigured(
                f"IDP_RUN_QUEUES: {item!r} is not KEY=VALUE:QUEUE; write for example 'tier=prod:idp-prod'."
            )
        key, value, queue = match.groups()
        if key not in KEYS:
            raise ImproperlyConfigured(f"IDP_RUN_QUEUES: {item!r} routes on {key!r}; use one of {', '.join(KEYS)}.")
        if not QUEUE_NAME.match(queue):
            raise ImproperlyConfigured(
                f"IDP_RUN_QUEUES: {queue!r} is not a queue name; use letters, digits, '.', '_' and '-'."
            )
        routes.append(Route(key, value, queue))
    return routes


def region_of(environment) -> str:
    return (environment.parameters or {}).get("region") or settings.AWS_DEFAULT_REGION


def queue_for(environment) -> str | None:
    """The queue of the worker pool that runs this environment's Terraform; None: Celery's default queue."""
    facts = {"tier": environment.tier, "region": region_of(environment), "team": environment.team.slug}
    for route in parse(settings.RUN_QUEUES):
        if facts[route.key] == route.value:
            return route.queue
    return None
