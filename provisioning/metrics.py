"""The portal's own Prometheus metrics, read from the database at scrape time.

Runs, approvals and recoveries happen in many processes (web, workers, beat) on many machines; the
database is the one place that sees them all, so every scrape gives the same, exact answer whichever
gunicorn worker serves it, and nothing is lost when a process restarts.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from governance.choices import AuditAction
from governance.models import AuditEvent
from provisioning.choices import ChangeStatus, RunStatus
from provisioning.models import ApprovalRequirement, ChangeRequest, Run

DURATION_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1800, 3600)
WAIT_BUCKETS = (1, 5, 15, 30, 60, 300, 900, 3600)


def _histogram(name: str, documentation: str, runs, span, buckets) -> HistogramMetricFamily:
    """Cumulative buckets per run kind, counted in SQL."""
    family = HistogramMetricFamily(name, documentation, labels=["kind"])
    counts = {f"le_{b}": Count("pk", filter=Q(span__lte=timedelta(seconds=b))) for b in buckets}
    rows = (
        runs.annotate(span=ExpressionWrapper(span, output_field=DurationField()))
        .values("kind")
        .annotate(total=Count("pk"), seconds=Sum("span"), **counts)
        .order_by("kind")
    )
    for row in rows:
        cumulative = [(str(float(b)), row[f"le_{b}"]) for b in buckets] + [("+Inf", row["total"])]
        total = row["seconds"].total_seconds() if row["seconds"] is not None else 0.0
        family.add_metric([row["kind"]], cumulative, total)
    return family


class PortalCollector:
    def collect(self):
        now = timezone.now()
        runs = GaugeMetricFamily("idp_runs", "Terraform runs by kind and status (queued, running, finished).",
                                 labels=["kind", "status"])  # fmt: skip
        for row in Run.objects.values("kind", "status").annotate(n=Count("pk")).order_by():
            runs.add_metric([row["kind"], row["status"]], row["n"])
        yield runs

        finished = Run.objects.filter(status__in=RunStatus.finished_values(), started_at__isnull=False,
                                      finished_at__isnull=False)  # fmt: skip
        yield _histogram("idp_run_duration_seconds", "How long finished runs took, by kind.", finished,
                         F("finished_at") - F("started_at"), DURATION_BUCKETS)  # fmt: skip
        started = Run.objects.filter(started_at__isnull=False)
        yield _histogram("idp_run_queue_wait_seconds", "How long runs waited for a worker, by kind.", started,
                         F("started_at") - F("queued_at"), WAIT_BUCKETS)  # fmt: skip

        oldest = GaugeMetricFamily("idp_run_oldest_queued_seconds", "Age of the oldest run still waiting for a worker.")
        first = Run.objects.filter(status=RunStatus.QUEUED).aggregate(first=Min("queued_at"))["first"]
        oldest.add_metric([], (now - first).total_seconds() if first else 0.0)
        yield oldest

        denials = CounterMetricFamily("idp_policy_denials", "Policy violations that refused a change, by policy.",
                                      labels=["policy"])  # fmt: skip
        counted: Counter[str] = Counter()
        for results in ChangeRequest.objects.exclude(policy_results=[]).values_list("policy_results", flat=True):
            counted.update(r.get("policy", "?") for r in results or [] if r.get("severity") == "deny")
        for name, n in sorted(counted.items()):
            denials.add_metric([name], n)
        yield denials

        waiting = GaugeMetricFamily("idp_approvals_waiting", "Approvals waiting, by reviewer group.", labels=["group"])
        age = GaugeMetricFamily("idp_approvals_oldest_wait_seconds", "How long the oldest waiting approval has waited.",
                                labels=["group"])  # fmt: skip
        pending = (
            ApprovalRequirement.objects.pending()
            .filter(change_request__status=ChangeStatus.AWAITING_APPROVAL)
            .values("group")
            .annotate(n=Count("pk"), since=Min("created_at"))
            .order_by("group")
        )
        for row in pending:
            waiting.add_metric([row["group"]], row["n"])
            age.add_metric([row["group"]], (now - row["since"]).total_seconds())
        yield waiting
        yield age

        recoveries = CounterMetricFamily("idp_reaper_recoveries", "Runs the reaper failed and changes it recovered.",
                                         labels=["what"])  # fmt: skip
        for action, what in ((AuditAction.RUN_REAPED, "run"), (AuditAction.CHANGE_RECOVERED, "change")):
            recoveries.add_metric([what], AuditEvent.objects.filter(action=action).count())
        yield recoveries
