"""What a request file asks for, resolved against the catalogue and what runs: create, update,
upgrade, or nothing (the environment already is as the file says)."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.models import Pattern, PatternVersion, UnknownSize
from governance.choices import ChangeAction, Verb
from governance.models import Team
from provisioning.gitops.files import Problem, RequestFile
from provisioning.models import ChangeRequest, Environment

CREATE, UPDATE, UPGRADE, NOTHING = ChangeAction.CREATE.value, ChangeAction.UPDATE.value, "upgrade", "none"


@dataclass
class Intent:
    file: RequestFile
    action: str = NOTHING
    team: Team | None = None
    version: PatternVersion | None = None
    parameters: dict = field(default_factory=dict)
    environment: Environment | None = None
    pending: ChangeRequest | None = None  # an open change that already asks for what the file says
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def tier(self) -> str:
        if self.environment is not None:
            return self.environment.tier
        return self.file.tier or (self.version.allowed_tiers[0] if self.version else "")


def pattern_named(actor, name: str) -> Pattern | None:
    """A listed pattern by slug or by one of its aliases (`app-environment`)."""
    return Pattern.objects.for_user(actor, Verb.VIEW).listed().prefetch_related("versions").named(name)


def resolve(actor, request: RequestFile) -> Intent:
    """The intent of a parsed file for `actor`; problems name the file's lines."""
    intent = Intent(file=request)
    team = Team.objects.for_user(actor, Verb.VIEW).filter(slug=request.team).first()
    if team is None:
        mine = ", ".join(Team.objects.for_user(actor, Verb.VIEW).order_by("slug").values_list("slug", flat=True))
        intent.problems.append(request.problem("metadata.team", f"You are not a member of team {request.team!r} "
                                               f"(or there is no such team); use one of yours ({mine or 'you are in no team'})."))  # fmt: skip
        return intent
    intent.team = team
    pattern = pattern_named(actor, request.pattern)
    if pattern is None:
        names = ", ".join(Pattern.objects.listed().order_by("slug").values_list("slug", flat=True))
        intent.problems.append(request.problem("spec.pattern", f"There is no pattern {request.pattern!r} in the "
                                               f"catalogue; choose one of: {names}."))  # fmt: skip
        return intent
    environment = (
        Environment.objects.live().select_related("team", "pattern_version__pattern")
        .filter(team=team, name=request.name).first()
    )  # fmt: skip
    version = _version(intent, pattern, environment)
    if version is None:
        return intent
    intent.version = version
    parameters = _parameters(intent, version)
    if parameters is None:
        return intent
    intent.parameters = parameters
    if environment is None:
        intent.action = CREATE
        return intent
    intent.environment = environment
    _against_environment(intent, pattern, environment)
    return intent


def _version(intent: Intent, pattern: Pattern, environment: Environment | None) -> PatternVersion | None:
    request = intent.file
    versions = list(pattern.versions.all())
    if not request.version:
        return environment.pattern_version if environment is not None else pattern.current_version
    version = next((v for v in versions if v.version == request.version), None)
    if version is None:
        offered = ", ".join(f"{v.version}{' (current)' if v.is_current else ''}" for v in versions)
        intent.problems.append(request.problem("spec.version", f"{pattern.slug} has no version {request.version!r}; "
                                               f"it has {offered}."))  # fmt: skip
        return None
    if not version.is_current and (environment is None or environment.pattern_version_id != version.pk):
        current = pattern.current_version
        intent.problems.append(request.problem("spec.version", f"Version {version.version} of {pattern.slug} is "
                                               f"retired; use {current.version if current else 'a current version'}."))  # fmt: skip
        return None
    return version


def _parameters(intent: Intent, version: PatternVersion) -> dict | None:
    """Schema defaults, then the size preset, then the file's own values."""
    request = intent.file
    try:
        return version.parameters_for(size=request.size or None, parameters=request.parameters)
    except UnknownSize as exc:
        intent.problems.append(request.problem("spec.size", f"{version}: {exc}"))
        return None


def _against_environment(intent: Intent, pattern: Pattern, environment: Environment) -> None:
    request = intent.file
    running = environment.pattern_version
    if running.pattern_id != pattern.pk:
        intent.problems.append(request.problem("spec.pattern", f"{environment} runs {running.pattern.slug}, not "
                                               f"{pattern.slug}; a file cannot change an environment's pattern."))  # fmt: skip
        return
    if request.tier and request.tier != environment.tier:
        intent.problems.append(request.problem("spec.tier", f"{environment} runs in {environment.tier}; its tier "
                                               "cannot change (promote it, or name a new environment)."))  # fmt: skip
        return
    if request.ttl_days is not None:
        intent.notes.append("ttl_days applies when the environment is created; extend it with `platform extend`.")
    target = intent.version
    pending = environment.changes.open().order_by("-created_at").first()
    if (
        pending is not None
        and pending.action in (CREATE, UPDATE)
        and pending.parameters == intent.parameters
        and ((pending.pattern_version_id or running.pk) == target.pk)
    ):
        intent.pending = pending
        return
    if target.pk != running.pk:
        if target.created_at < running.created_at:
            intent.problems.append(request.problem("spec.version", f"{environment} runs {running.version}, newer "
                                                   f"than {target.version}; a file cannot downgrade it."))  # fmt: skip
            return
        intent.action = UPGRADE
        return
    if intent.parameters != environment.parameters:
        intent.action = UPDATE
