"""GitOps: the push webhook (signed, HMAC-SHA256) that queues a sync, and the page of each team's
repositories and request files."""

from __future__ import annotations

import json
import logging

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from governance.audit import record
from governance.choices import AuditAction, Verb
from governance.models import Team
from provisioning.gitops.signature import verify
from provisioning.models import Repository, RequestFileSync
from provisioning.tasks import sync_repository_task

log = logging.getLogger("idp.security")


@csrf_exempt  # signed by the Git host instead
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """A push: find the repository whose secret signed the body, then queue its sync. Nothing else."""
    body = request.body
    header = request.headers.get("X-Hub-Signature-256")
    candidates = Repository.objects.filter(is_active=True).exclude(webhook_secret_sealed="")
    if request.GET.get("repository"):
        candidates = candidates.filter(name=request.GET["repository"])
    signed = [repository for repository in candidates if verify(repository.webhook_secret, body, header)]
    if not signed:
        why = "no signature" if not header else "a signature no repository's secret makes"
        log.warning("gitops webhook refused from %s: %s", request.META.get("REMOTE_ADDR"), why)
        record(AuditAction.ACCESS_DENIED, message=f"GitOps webhook refused ({why}) from "
               f"{request.META.get('REMOTE_ADDR')}; nothing was synced.", door="gitops-webhook")  # fmt: skip
        return JsonResponse({"error": "Refused: the X-Hub-Signature-256 signature is missing or wrong."}, status=403)
    event = request.headers.get("X-GitHub-Event") or request.headers.get("X-Gitea-Event") or "push"
    if event == "ping":
        return JsonResponse({"ok": True, "repositories": [r.name for r in signed]})
    try:
        ref = json.loads(body or b"{}").get("ref", "")
    except (ValueError, AttributeError):
        ref = ""
    queued = [r for r in signed if not ref or ref == f"refs/heads/{r.branch}"]
    for repository in queued:
        transaction.on_commit(lambda pk=repository.pk: sync_repository_task.delay(pk))
    return JsonResponse({"queued": [r.name for r in queued]}, status=202)


@login_required
def gitops(request: HttpRequest) -> HttpResponse:
    """The repositories that manage the user's teams, and the state of each of their teams' files."""
    teams = Team.objects.for_user(request.user, Verb.VIEW).order_by("slug")
    chosen = request.GET.get("team")
    if chosen:
        teams = teams.filter(slug=chosen)
    repositories = (
        Repository.objects.for_user(request.user).filter(teams__in=teams).distinct().prefetch_related("teams")
    )
    files = (
        RequestFileSync.objects.for_user(request.user)
        .filter(repository__in=repositories, team__in=teams)
        .select_related("repository", "environment", "change", "team")
    )
    # A file whose team is unknown (it does not parse) or not the repository's shows to everyone who sees the
    # repository: they are the ones pushing to it.
    unassigned = RequestFileSync.objects.filter(repository__in=repositories, team__isnull=True).select_related(
        "repository"
    )
    return render(request, "provisioning/gitops.html", {
        "repositories": repositories, "files": [*files, *unassigned], "teams": teams, "chosen": chosen,
        "section": "gitops",
    })  # fmt: skip
