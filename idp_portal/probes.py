"""`/healthz` for load balancers and `/metrics` for Prometheus, answered before any other middleware.

First in MIDDLEWARE: a load balancer probes by address (no allowed host name), over plain HTTP, without
a session; none of that should turn a healthy portal into a 400, a redirect or a database session write.
"""

from __future__ import annotations

import ipaddress
import os
import secrets

from django.conf import settings
from django.http import HttpResponse, JsonResponse


def healthz(request) -> JsonResponse:
    from provisioning.health import report

    healthy, checks = report()
    problems = [f"{name}: {check['detail']}" for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if healthy else "unhealthy", "checks": checks, "problems": problems}
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def _may_scrape(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and secrets.compare_digest(given[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request) -> HttpResponse:
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    from provisioning.metrics import PortalCollector

    if not _may_scrape(request):
        return HttpResponse("Metrics are for the monitoring network (METRICS_ALLOWED_NETWORKS) or a bearer "
                            "token (METRICS_TOKEN).\n", status=403, content_type="text/plain")  # fmt: skip
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: django-prometheus' request metrics summed over all of them.
        from prometheus_client import multiprocess

        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    portal = CollectorRegistry()
    portal.register(PortalCollector())
    return HttpResponse(generate_latest(requests) + generate_latest(portal), content_type=CONTENT_TYPE_LATEST)


class Probes:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/metrics":
            return metrics(request)
        return self.get_response(request)
