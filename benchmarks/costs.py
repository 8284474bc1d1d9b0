"""Costs pages and engines: the team dashboard at scale, the live quote, the plan estimate."""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta
from decimal import Decimal

ROUNDS = 20


def _median_ms(call, rounds: int = ROUNDS) -> float:
    call()  # warm caches (price book, templates, connections)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def bench_costs() -> list[tuple[str, str, str]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from catalogue.models import Pattern
    from costs import prices
    from costs.estimate import estimate_plan
    from costs.models import CostRecord
    from governance.models import Membership, Team
    from governance.policy import POLICY_DIR
    from provisioning.models import Environment

    team = Team.objects.create(name="Dashboard bench", slug="dashboard-bench", cost_centre="CC-0", monthly_budget=50000)
    user = User.objects.create_user("dashboard-bench")
    Membership.objects.create(user=user, team=team, role="lead")
    version = Pattern.objects.get(slug="dev-environment").current_version
    Environment.objects.bulk_create(
        Environment(team=team, name=f"env-{n:04d}", tier="dev", pattern_version=version, created_by=user,
                    status="active", estimated_monthly_cost=Decimal(10 + n % 50))
        for n in range(1000)
    )  # fmt: skip
    ids = list(Environment.objects.filter(team=team).values_list("pk", flat=True))
    today = timezone.now().date()
    CostRecord.objects.bulk_create(
        (
            CostRecord(environment_id=env, day=today - timedelta(days=d), amount=Decimal("0.33"))
            for env in ids
            for d in range(90)
        ),
        batch_size=10_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load; the planner needs the statistics
    client = Client()
    client.force_login(user)
    client.get("/teams/dashboard-bench/")
    connection.force_debug_cursor, connection.queries_log = True, type(connection.queries_log)(maxlen=9000)
    assert client.get("/teams/dashboard-bench/").status_code == 200
    queries = len(connection.queries_log)
    connection.force_debug_cursor = False
    dashboard = _median_ms(lambda: client.get("/teams/dashboard-bench/"))

    web = Pattern.objects.get(slug="web-app").current_version
    form = {"team": str(team.pk), "tier": "dev", "name": "q", "pattern_version": str(web.pk),
            "database_instance_class": "db.r6g.large", "database_storage_gb": "100", "region": "eu-west-1"}  # fmt: skip
    quote = _median_ms(lambda: client.post("/catalogue/web-app/request/quote/", form))

    plan = json.loads((POLICY_DIR / "tests" / "fixtures" / "web-app-dev.json").read_text())["plan"]
    book = prices.current()
    estimate = _median_ms(lambda: estimate_plan(plan, book, "eu-west-1", {}), rounds=200)
    verdict = lambda value, target: f"target <= {target} ms " + ("OK" if value <= target else "MISSED")  # noqa: E731
    return [
        ("team dashboard, 1,000 environments x 90 days of spend, median", f"{dashboard:.1f} ms",
         f"{queries} queries; " + verdict(dashboard, 150)),
        ("live quote (web app, htmx endpoint), median", f"{quote:.1f} ms", verdict(quote, 30)),
        ("estimate of the web-app plan, median", f"{estimate:.2f} ms", verdict(estimate, 20)),
    ]  # fmt: skip
