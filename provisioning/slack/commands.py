"""`/platform <subcommand> …` in Slack: each subcommand calls the same action as every other door.

The text is split into words with shlex (quotes group words; nothing is ever run by a shell), then read
as a subcommand, positional words, `--option=value` (or `--option value`) and `key=value` pattern
parameters. Bad input is answered with what to change, and nothing is done.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

from django.urls import reverse

from catalogue.models import Pattern, UnknownSize
from governance import roles
from governance.choices import Verb
from governance.models import Team
from provisioning import actions
from provisioning.actions import ActionError, Forbidden, NotFound, RequestInvalid
from provisioning.choices import ChangeSource, ChangeStatus
from provisioning.models import ChangeRequest, Environment
from provisioning.slack import blocks
from provisioning.slack.text import Reply, esc, link, refusal, violations

CHAT = ChangeSource.CHAT
DEFAULT_EXTEND_DAYS = 7
LIST_LIMIT = 30
MAX_VALUE = 2000  # the longest option value (a reason), as on the other doors
USAGE = {
    "create": "/platform create <pattern> --name=<name> [--size=small] [--tier=dev] [--team=<slug>] [--ttl-days=N] "
              "[--reason=…] [key=value …]",
    "list": "/platform list [--team=<slug>] [--all]",
    "status": "/platform status <environment>",
    "extend": "/platform extend <environment> [days] [--reason=…]",
    "destroy": "/platform destroy <environment> [--confirm=<name>] [--reason=…]",
    "retry": "/platform retry <environment | #change> [--delete-orphan=<ARN> …]",
    "help": "/platform help",
}  # fmt: skip


class Usage(Exception):
    """The command itself is malformed: answered with its usage line (the message is Slack text, escaped)."""


class Args:
    """Positional words, options and parameters of one subcommand."""

    def __init__(self, words: list[str], *, options: set[str], flags: set[str] = frozenset(), params: bool = False,
                 repeated: set[str] = frozenset()):  # fmt: skip
        self.positional: list[str] = []
        self.options: dict[str, str] = {}
        self.repeated: dict[str, list[str]] = {key: [] for key in repeated}
        self.flags: set[str] = set()
        self.params: dict = {}
        words = list(words)
        while words:
            word = words.pop(0)
            if word.startswith("--"):
                key, sep, value = word[2:].partition("=")
                key = key.replace("_", "-").lower()
                if key in flags and not sep:
                    self.flags.add(key)
                elif key == "param" and params:
                    if not sep:
                        value = words.pop(0) if words else ""
                    self._param(value)
                elif key in options or key in repeated:
                    if not sep:
                        if not words or words[0].startswith("--"):
                            raise Usage(f"--{key} needs a value, e.g. --{key}=&lt;value&gt;.")
                        value = words.pop(0)
                    self._option(key, value)
                else:
                    known = ", ".join(f"--{o}" for o in sorted(options | set(flags) | set(repeated)))
                    raise Usage(f"Unknown option --{esc(key)}" + (f"; this command knows {known}." if known else "."))
            elif "=" in word and not word.startswith("="):
                key, _, value = word.partition("=")
                if key.replace("_", "-").lower() in options:
                    self._option(key.replace("_", "-").lower(), value)
                elif params:
                    self._param(word)
                else:
                    raise Usage(f"{esc(word)}: this command takes no key=value settings.")
            else:
                self.positional.append(word)

    def _option(self, key: str, value: str) -> None:
        if key in self.repeated:
            self.repeated[key].append(value)
            return
        if key in self.options:
            raise Usage(f"--{key} is given twice; give it once.")
        if len(value) > MAX_VALUE:
            raise RequestInvalid({key: [f"Use at most {MAX_VALUE} characters."]})
        self.options[key] = value

    def _param(self, pair: str) -> None:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise Usage(f"{esc(pair)}: write parameters as key=value, e.g. volume_size_gb=40.")
        if key in self.params:
            raise Usage(f"The parameter {esc(key)} is given twice; give it once.")
        try:  # numbers, true/false and lists as JSON, as the CLI reads them; anything else is text
            parsed = json.loads(value)
            json.dumps(parsed, allow_nan=False)  # NaN and 1e400 (infinity) are no JSON PostgreSQL stores
        except ValueError:
            parsed = value
        self.params[key] = parsed


# Slack's clients turn `--` into a dash and straight quotes into curly ones as people type.
TYPOGRAPHY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
DASHES = ("\u2014", "\u2013")  # em and en dash


def typed(text: str) -> str:
    """The command as the person meant it: straight quotes, and `--` where the client put a dash."""
    words = (text or "").translate(TYPOGRAPHY).split(" ")
    return " ".join("--" + word[1:] if word.startswith(DASHES) else word for word in words)


def run(*, actor, text: str) -> Reply:
    """Answer one `/platform` command typed by `actor` (a linked portal user)."""
    try:
        words = shlex.split(typed(text), posix=True)
    except ValueError as exc:  # an unclosed quote
        return Reply(f":warning: Could not read the command ({esc(exc)}): close every quote you open.")
    if not words or words[0].lower() in {"help", "--help", "-h"}:
        return help_reply()
    subcommand = words[0].lower()
    handler = SUBCOMMANDS.get(subcommand)
    if handler is None:
        return Reply(f":warning: Unknown command *{esc(words[0])}*; the commands are "
                     f"{', '.join(SUBCOMMANDS)}. Type `/platform help` for how to use them.")  # fmt: skip
    try:
        return handler(actor, words[1:])
    except Usage as exc:
        return Reply(f":warning: {exc}\nUsage: `{esc(USAGE[subcommand])}`")
    except ActionError as exc:
        return Reply(refusal(exc))


def help_reply() -> Reply:
    lines = ["*/platform* talks to the portal as you (your permissions, the same checks as the pages):"]
    lines += [f"• `{esc(usage)}`" for usage in USAGE.values()]
    lines.append("Environments are named `name` or `team/name`. Parameters: `key=value` (numbers and lists as JSON).")
    return Reply("\n".join(lines))


# -- subcommands -----------------------------------------------------------------------
def create(actor, words: list[str]) -> Reply:
    args = Args(words, options={"name", "team", "tier", "size", "ttl-days", "ttl", "reason", "application"},
                params=True)  # fmt: skip
    if len(args.positional) != 1:
        raise Usage("Name one pattern, e.g. `/platform create dev-environment --name=box`.")
    named = args.positional[0]
    patterns = Pattern.objects.for_user(actor).listed().prefetch_related("versions")
    pattern = patterns.named(named)
    if pattern is None:
        raise RequestInvalid({"pattern": [f"There is no pattern {named!r}; choose one of {_pattern_names(patterns)}."]})
    version = pattern.current_version
    name = args.options.get("name", "").strip()
    if not name:
        raise RequestInvalid({"name": ["Name the environment with --name=<name>, e.g. --name=checkout-dev."]})
    try:
        parameters = version.parameters_for(size=args.options.get("size") or None, parameters=args.params)
    except UnknownSize as exc:
        raise RequestInvalid({"size": [str(exc)]}) from None
    change = actions.request_environment(
        actor=actor, team=_team(actor, args.options.get("team")), pattern_version=version, name=name,
        tier=args.options.get("tier", "dev"), ttl_days=_days(args.options.get("ttl-days") or args.options.get("ttl"),
                                                              "ttl_days", allow_none=True),
        parameters=parameters,
        reason=args.options.get("reason", ""), source=CHAT, application=args.options.get("application", ""),
    )  # fmt: skip
    return change_reply(
        change, f"requested {esc(change.environment)} ({esc(pattern.name)}, {esc(change.environment.tier)})"
    )


def list_environments(actor, words: list[str]) -> Reply:
    args = Args(words, options={"team"}, flags={"all"})
    if args.positional:
        raise Usage(f"list takes no environment name ({esc(args.positional[0])}); use `/platform status &lt;name&gt;`.")
    environments = Environment.objects.for_user(actor).select_related("team", "pattern_version__pattern")
    if "all" not in args.flags:
        environments = environments.live()
    if "team" in args.options:
        environments = environments.filter(team__slug=args.options["team"])
    environments = list(environments.order_by("team__slug", "name")[: LIST_LIMIT + 1])
    if not environments:
        return Reply("No environments" + (f" in {esc(args.options['team'])}" if "team" in args.options else "")
                     + ". Create one with `/platform create &lt;pattern&gt; --name=&lt;name&gt;`.")  # fmt: skip
    lines = [_environment_line(e) for e in environments[:LIST_LIMIT]]
    if len(environments) > LIST_LIMIT:
        lines.append(f"…and more: {link(reverse('provisioning:environment_list'), 'see them all in the portal')}.")
    return Reply("\n".join(lines))


def status(actor, words: list[str]) -> Reply:
    args = Args(words, options=set())
    environment = _environment(actor, args)
    lines = [_environment_line(environment)]
    if environment.outputs:
        shown = ", ".join(f"{esc(k)}={esc(v)}" for k, v in list(environment.outputs.items())[:6])
        lines.append(f"Outputs: {shown}")
    if environment.orphans:
        lines.append("Resources that carry its tag but that no state holds (`/platform retry "
                     f"{esc(environment.team.slug)}/{esc(environment.name)} --delete-orphan=&lt;ARN&gt;` deletes one "
                     "before the retry plans):")  # fmt: skip
        lines += [f"• `{esc(item['arn'])}`" for item in environment.orphans]
    open_change = environment.changes.open().order_by("-created_at").first()
    latest = open_change or environment.changes.order_by("-created_at").first()
    if latest is not None:
        path = reverse("provisioning:change_detail", args=[latest.pk])
        lines.append(f"{'Open' if open_change else 'Last'} change: {link(path, f'#{latest.pk}')} "
                     f"{latest.get_action_display().lower()}, {latest.get_status_display().lower()}.")  # fmt: skip
    return Reply("\n".join(lines))


def extend(actor, words: list[str]) -> Reply:
    args = Args(words, options={"reason", "days"})
    if len(args.positional) > 2:
        raise Usage("Name one environment and, optionally, the days.")
    days_text = args.options.get("days") or (args.positional.pop(1) if len(args.positional) == 2 else "")
    days = _days(days_text, "days") if days_text else DEFAULT_EXTEND_DAYS
    environment = _environment(actor, args)
    result = actions.extend_environment(actor=actor, environment=environment, days=days,
                                        reason=args.options.get("reason", ""), source=CHAT)  # fmt: skip
    if isinstance(result, ChangeRequest):
        path = reverse("provisioning:change_detail", args=[result.pk])
        return Reply(f":hourglass: Beyond the tier's maximum: {link(path, f'change #{result.pk}')} asks the platform "
                     f"team to keep {esc(environment)} {days} more day(s).")  # fmt: skip
    return Reply(f":white_check_mark: {esc(result)} now expires on {result.expires_at:%Y-%m-%d %H:%M} UTC "
                 f"(extended by {days} day{'s' if days != 1 else ''}).")  # fmt: skip


def destroy(actor, words: list[str]) -> Reply:
    args = Args(words, options={"confirm", "reason"})
    environment = _environment(actor, args)
    if "confirm" in args.options:
        change = actions.decommission_environment(actor=actor, environment=environment,
                                                  confirm_name=args.options["confirm"],
                                                  reason=args.options.get("reason", ""), source=CHAT)  # fmt: skip
        return change_reply(change, f"asked to decommission {esc(environment)}")
    # The first step only asks: refuse here already what the action would refuse, rather than offer a button.
    if not Environment.objects.for_user(actor, Verb.DECOMMISSION).filter(pk=environment.pk).exists():
        raise Forbidden(roles.refusal(actor, Verb.DECOMMISSION, environment.team, environment.tier))
    typed = args.positional[0].rpartition("/")[2]
    if typed != environment.name:  # named by id: the name itself must be typed
        raise Usage(f"Confirm with the environment's name: `/platform destroy {esc(environment.name)} "
                    f"--confirm={esc(environment.name)}`.")  # fmt: skip
    return Reply(
        f"Decommission {environment}? Confirm with the button.",
        blocks=blocks.decommission_confirmation(environment, typed),
    )


def retry(actor, words: list[str]) -> Reply:
    """Plan a failed change again: `#12`, or the environment whose last change failed."""
    args = Args(words, options=set(), repeated={"delete-orphan"})
    change = _failed_change(actor, args)
    actions.retry_change(actor=actor, change=change, source=CHAT, delete_orphans=args.repeated["delete-orphan"])
    change.refresh_from_db()
    deleting = args.repeated["delete-orphan"]
    first = f", deleting first {len(deleting)} resource(s) no state holds" if deleting else ""
    return change_reply(change, f"retried the change{first}")


SUBCOMMANDS: dict[str, Callable[..., Reply]] = {
    "create": create, "list": list_environments, "status": status, "extend": extend, "destroy": destroy,
    "retry": retry,
    "help": lambda actor, words: help_reply(),
}  # fmt: skip


# -- shared pieces ---------------------------------------------------------------------
def change_reply(change: ChangeRequest, what: str) -> Reply:
    """A submitted change: where to follow it, or every policy it broke."""
    path = reverse("provisioning:change_detail", args=[change.pk])
    if change.status == ChangeStatus.REJECTED and change.denials:
        return Reply(f":no_entry: {link(path, f'Change #{change.pk}')} breaks policy; fix what each violation names "
                     f"and send it again:\n{violations(change)}")  # fmt: skip
    return Reply(f":white_check_mark: You {what}: {link(path, f'change #{change.pk}')} is "
                 f"{change.get_status_display().lower()}. Follow it in the portal.")  # fmt: skip


def _environment_line(environment: Environment) -> str:
    path = reverse("provisioning:environment_detail", args=[environment.pk])
    parts = [f"*{link(path, str(environment))}*", esc(environment.tier), esc(environment.get_status_display().lower()),
             esc(environment.pattern_version)]  # fmt: skip
    if environment.expires_at:
        parts.append(f"expires {environment.expires_at:%Y-%m-%d %H:%M} UTC")
    if environment.estimated_monthly_cost is not None:
        parts.append(f"${environment.estimated_monthly_cost:,.2f}/month")
    return " · ".join(parts)


def _environment(actor, args: Args) -> Environment:
    """The one environment named by the first positional word: id, `team/name` or `name`."""
    if len(args.positional) != 1:
        raise Usage("Name one environment, as `name` or `team/name`.")
    ref = args.positional[0]
    visible = Environment.objects.for_user(actor).select_related("team", "pattern_version__pattern")
    if _is_id(ref):
        matches = list(visible.filter(pk=int(ref)))
    else:
        team, _, name = ref.rpartition("/")
        found = visible.live().filter(name=name)
        matches = list(found.filter(team__slug=team) if team else found)
    if not matches:
        raise NotFound(f"No environment {ref!r} that you can see; `/platform list` shows yours.")
    if len(matches) > 1:
        names = ", ".join(str(m) for m in matches)
        raise Usage(f"{esc(ref)} is in several teams ({esc(names)}); write team/name.")
    return matches[0]


def _failed_change(actor, args: Args) -> ChangeRequest:
    """`#12` names a change; an environment stands for its latest change, which must be the failed one."""
    if len(args.positional) == 1 and args.positional[0].startswith("#"):
        number = args.positional[0][1:]
        change = ChangeRequest.objects.for_user(actor).filter(pk=int(number)).first() if _is_id(number) else None
        if change is None:
            raise NotFound(f"No change {args.positional[0]!r} that you can see; `/platform status <environment>` "
                           "names an environment's last change.")  # fmt: skip
        return change
    environment = _environment(actor, args)
    change = environment.changes.order_by("-created_at").first()
    if change is None or change.status != ChangeStatus.FAILED:
        state = f"change #{change.pk} is {change.get_status_display().lower()}" if change else "it has no change"
        raise Usage(f"Nothing to retry on {esc(environment)}: its last {state}; only a failed change can be retried.")
    return change


def _is_id(text: str) -> bool:
    """Plain ASCII digits of an id's length: str.isdigit() also takes "²", which int() refuses (as 10^5000)."""
    return text.isascii() and text.isdigit() and len(text) < 19


def _pattern_names(patterns) -> str:
    """Every pattern that can be named, with its aliases: `dev-environment (app-environment), web-app`."""
    return ", ".join(f"{p.slug} ({', '.join(p.aliases)})" if p.aliases else p.slug for p in patterns.order_by("slug"))


def _team(actor, slug: str | None) -> Team:
    if slug:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise RequestInvalid({"team": [f"There is no team {slug!r}."]})
        return team
    teams = list(Team.objects.filter(memberships__user=actor).order_by("slug"))
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise RequestInvalid({"team": ["You are in no team; ask a team lead to add you, or name one with --team."]})
    raise RequestInvalid({"team": [f"You are in several teams ({', '.join(t.slug for t in teams)}); "
                                   "say which with --team=<slug>."]})  # fmt: skip


def _days(text: str | None, field: str, *, allow_none: bool = False) -> int | None:
    if text in (None, "") and allow_none:
        return None
    try:
        return int(str(text))
    except ValueError:
        raise RequestInvalid({field: [f"{text!r} is not a whole number of days; write e.g. 7."]}) from None
