"""Follow a repository: fetch, diff the folder since the last synced commit, and turn each added or
changed file into a create/update/upgrade and each removed file into a decommission (only when the
repository prunes), all through the actions with source `gitops`.

Who acts: the author of the newest commit that touched the file, when their e-mail is that of exactly
one active portal user who is a member of the file's team. Anyone else is refused with a message on
the file: the portal never invents a permission. Pushing to the branch is the trust boundary, so
protect it (reviews, signed commits) as you would any deployment branch.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from governance.models import Team
from provisioning import actions
from provisioning.choices import ChangeSource, FileSyncStatus
from provisioning.gitops.apply import apply_file
from provisioning.gitops.files import parse
from provisioning.gitops.git import Commit, FileChange, GitError, Mirror
from provisioning.models import Environment, Repository, RequestFileSync

log = logging.getLogger(__name__)
# A sync that has run this long is taken for dead (its worker crashed) and may be claimed again.
CLAIM_MINUTES = 15
SETTLED = (FileSyncStatus.REMOVED, FileSyncStatus.KEPT)
BUSY_NOTE = " The portal tries again at each sync."


def cache_dir(repository: Repository) -> Path:
    return Path(settings.VAR_DIR) / "gitops" / str(repository.pk)


def sync_repository(repository_id: int) -> bool:
    """Sync one repository unless another worker is at it; False when it was not claimed."""
    now = timezone.now()
    claimed = (
        Repository.objects.filter(pk=repository_id, is_active=True)
        .filter(Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - timedelta(minutes=CLAIM_MINUTES)))
        .update(sync_started_at=now, last_attempt_at=now)
    )
    if not claimed:
        return False
    try:
        _sync(Repository.objects.get(pk=repository_id))
    except Exception as exc:  # shown on the repository and tried again at the next poll, never silent
        log.exception("gitops: sync of repository %s failed", repository_id)
        Repository.objects.filter(pk=repository_id).update(
            last_error=f"The sync failed: {exc.__class__.__name__}: {exc}. It is tried again at the next poll."
        )
    finally:
        Repository.objects.filter(pk=repository_id).update(sync_started_at=None)
    return True


def _sync(repository: Repository) -> None:
    mirror = Mirror(cache_dir(repository), repository.url)
    try:
        head = mirror.fetch(repository.branch)
    except GitError as exc:
        log.warning("gitops: %s could not be fetched: %s", repository, exc)
        Repository.objects.filter(pk=repository.pk).update(last_error=f"{exc} It is tried again at the next poll.")
        return
    old = repository.last_synced_commit if mirror.has(repository.last_synced_commit) else None
    if old != head:
        changes = mirror.changes(old, head, repository.folder)
        if old is None:  # first sync, or the cache was lost: what is gone is what the portal knows and Git lacks
            present = mirror.files(head, repository.folder)
            for row in repository.files.exclude(path__in=present).exclude(status__in=SETTLED):
                changes.append(FileChange("removed", row.path, row.blob))
        for change in sorted(changes, key=lambda c: (c.kind != "removed", c.path)):
            commit = mirror.last_commit(change.path, head, old)
            try:
                if change.kind == "removed":
                    _remove(repository, change, commit)
                else:
                    _apply(repository, change, commit, mirror.read(change.blob))
            except Exception as exc:  # one file's failure must not hold the others back
                log.exception("gitops: %s:%s failed", repository, change.path)
                _state(repository, change, commit, FileSyncStatus.ERROR, f"The portal failed on this file: {exc}")
        handled = {change.path for change in changes}
    else:
        handled = set()
    _retry_waiting(repository, mirror, head, handled)
    Repository.objects.filter(pk=repository.pk).update(last_synced_commit=head, last_synced_at=timezone.now(),
                                                       last_error="")  # fmt: skip


def _retry_waiting(repository: Repository, mirror: Mirror, head: str, handled: set[str]) -> None:
    """Files held back only because their environment was busy: their last commit, tried again."""
    waiting = list(repository.files.filter(status=FileSyncStatus.WAITING).exclude(path__in=handled))
    if not waiting:
        return
    present = mirror.files(head, repository.folder)
    for row in waiting:
        commit = Commit.of(row.last_commit, row.author)
        try:
            if row.path in present:
                _apply(repository, FileChange("changed", row.path, present[row.path]), commit,
                       mirror.read(present[row.path]))  # fmt: skip
            else:
                _remove(repository, FileChange("removed", row.path, row.blob), commit)
        except Exception:
            log.exception("gitops: %s:%s failed again", repository, row.path)


def _state(repository, file: FileChange, commit: Commit, status: str, message: str, **fields) -> RequestFileSync:
    row, _ = RequestFileSync.objects.update_or_create(
        repository=repository, path=file.path,
        defaults={"blob": file.blob, "last_commit": commit.sha, "author": commit.author[:300], "status": status,
                  "message": message, **fields},
    )  # fmt: skip
    return row


def author_user(commit: Commit, team: Team):
    """The portal user the commit's author is, if exactly one active member of `team` has that e-mail."""
    if not commit.email:
        return None
    users = list(get_user_model().objects.filter(email__iexact=commit.email, is_active=True)[:2])
    if len(users) != 1 or not users[0].memberships.filter(team=team).exists():
        return None
    return users[0]


def _refusal(commit: Commit, team: Team) -> str:
    return (f"Refused: the commit's author, {commit.author}, is not a portal user who is a member of {team.slug} "
            f"(matched by e-mail). The portal acts only as the team member who made the commit.")  # fmt: skip


def _apply(repository: Repository, change: FileChange, commit: Commit, text: str) -> None:
    row = repository.files.filter(path=change.path).first()
    if (
        row is not None
        and (row.last_commit, row.blob) == (commit.sha, change.blob)
        and row.status != FileSyncStatus.WAITING
    ):
        return  # this commit's file was handled already: no second change
    request, problems = parse(change.path, text)
    if request is None:
        _state(repository, change, commit, FileSyncStatus.ERROR, "\n".join(str(p) for p in problems))
        return
    team = repository.teams.filter(slug=request.team).first()
    if team is None:
        allowed = ", ".join(repository.teams.order_by("slug").values_list("slug", flat=True)) or "none"
        _state(repository, change, commit, FileSyncStatus.REFUSED, f"{change.path}:{request.line_of('metadata.team')}"
               f": metadata.team: {repository} may not manage team {request.team!r}'s environments (it may: {allowed}).")  # fmt: skip
        return
    environment = row.environment if row is not None else None
    if (
        environment is not None
        and environment.is_live
        and (environment.team_id, environment.name) != (team.pk, request.name)
    ):
        _state(repository, change, commit, FileSyncStatus.ERROR, f"{change.path}:{request.line_of('metadata.name')}: "
               f"metadata.name: this file manages {environment}; to rename, remove the file and add a new one.",
               team=team)  # fmt: skip
        return
    other = (
        RequestFileSync.objects.filter(environment__in=Environment.objects.live().filter(team=team, name=request.name))
        .exclude(repository=repository, path=change.path).select_related("repository").first()
    )  # fmt: skip
    if other is not None:
        _state(repository, change, commit, FileSyncStatus.ERROR, f"{change.path}:{request.line_of('metadata.name')}: "
               f"metadata.name: {team.slug}/{request.name} is requested by {other.repository}:{other.path} already; "
               "one file per environment.", team=team)  # fmt: skip
        return
    actor = author_user(commit, team)
    if actor is None:
        _state(repository, change, commit, FileSyncStatus.REFUSED, _refusal(commit, team), team=team)
        return
    origin = {"repository": repository.name, "path": change.path, "commit": commit.sha, "author": commit.author}
    outcome = apply_file(actor, change.path, text, source=ChangeSource.GITOPS, origin=origin)
    linked = {"team": team, "environment_id": outcome.environment, "change_id": outcome.change}
    if outcome.busy:
        _state(repository, change, commit, FileSyncStatus.WAITING,
               "\n".join(str(p) for p in outcome.errors) + BUSY_NOTE, **linked)  # fmt: skip
    elif outcome.errors:
        prefix = f"Change #{outcome.change} was rejected.\n" if outcome.change else ""
        _state(repository, change, commit, FileSyncStatus.ERROR,
               prefix + "\n".join(str(p) for p in outcome.errors), **linked)  # fmt: skip
    elif outcome.action != "none":
        _state(repository, change, commit, FileSyncStatus.SUBMITTED,
               f"{outcome.action.capitalize()} submitted as change #{outcome.change} by {actor}.", **linked)  # fmt: skip
    else:
        _state(repository, change, commit, FileSyncStatus.IN_SYNC, " ".join(outcome.notes), **linked)


def _remove(repository: Repository, change: FileChange, commit: Commit) -> None:
    row = repository.files.select_related("environment__team").filter(path=change.path).first()
    if row is None:
        return
    environment: Environment | None = row.environment
    if environment is None or not environment.is_live:
        row.delete()  # nothing runs from it: the file's state goes with the file
        return
    if row.last_commit == commit.sha and row.status in SETTLED:
        return
    short = commit.sha[:12]
    if not repository.prune:
        _state(repository, change, commit, FileSyncStatus.KEPT,
               f"Warning: {change.path} was removed in {short} by {commit.author}, but {repository} does not prune: "
               f"{environment} keeps running. Decommission it in the portal, or ask an admin to turn pruning on.")  # fmt: skip
        return
    actor = author_user(commit, environment.team)
    if actor is None:
        _state(repository, change, commit, FileSyncStatus.REFUSED, _refusal(commit, environment.team))
        return
    origin = {"repository": repository.name, "path": change.path, "commit": commit.sha, "author": commit.author}
    try:
        decommission = actions.decommission_environment(
            actor=actor, environment=environment, source=ChangeSource.GITOPS,
            reason=f"{change.path} removed from {repository} in {short}", origin=origin,
        )  # fmt: skip
    except actions.ChangeNotAllowed as exc:
        _state(repository, change, commit, FileSyncStatus.WAITING, f"Not decommissioned yet: {exc}{BUSY_NOTE}")
        return
    except actions.ActionError as exc:
        _state(repository, change, commit, FileSyncStatus.REFUSED, f"Not decommissioned: {exc}")
        return
    _state(repository, change, commit, FileSyncStatus.REMOVED,
           f"Removed in {short}: decommission submitted as change #{decommission.pk} by {actor}.",
           change=decommission)  # fmt: skip


def poll_repositories() -> list[int]:
    """The repositories to sync this round (every active one); each is a task of its own."""
    return list(Repository.objects.filter(is_active=True).values_list("pk", flat=True))
