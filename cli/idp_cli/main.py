"""`platform`: the IDP Portal from a terminal or a CI job.

Exit codes: 0 done; 1 refused (policy, validation, permission: the reasons are printed);
2 usage; 3 the server did not answer. Every command takes `--output json`.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from idp_cli import config
from idp_cli.client import Client, Refused, Unreachable
from idp_cli.follow import follow_change, follow_run
from idp_cli.output import emit, err, out, refusal

DONE, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3
ENV_COLUMNS = [("id", "ID"), ("team", "Team"), ("name", "Name"), ("tier", "Tier"), ("pattern", "Pattern"),
               ("version", "Version"), ("status", "Status"), ("estimated_monthly_cost", "$/month"),
               ("expires_at", "Expires")]  # fmt: skip
CHANGE_COLUMNS = [("id", "Change"), ("team", "Team"), ("environment_name", "Environment"), ("action", "Action"),
                  ("status", "Status"), ("requested_by", "By"), ("cost_estimate", "$/month")]  # fmt: skip
output_option = click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="json: machine-readable, for scripts.")  # fmt: skip


def command(func):
    """Run a command with the configured client; turn refusals and silences into exit codes."""

    @functools.wraps(func)
    def wrapper(*args, output="table", **kwargs):
        try:
            client = Client(config.load())
            code = func(client, *args, output=output, **kwargs)
        except config.NotConfigured as exc:
            err.print(f"[red]{exc}[/red]")
            sys.exit(USAGE)
        except Refused as exc:
            refusal(exc.error, output)
            sys.exit(REFUSED)
        except Unreachable as exc:
            err.print(f"[red]Unreachable:[/red] {exc}")
            sys.exit(UNREACHABLE)
        sys.exit(code or DONE)

    return wrapper


def parse_params(pairs: tuple[str, ...]) -> dict:
    """`key=value` pairs; values are JSON when they parse as JSON (numbers, true, lists), text otherwise."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r}: write key=value, e.g. --param volume_size_gb=40", param_hint="--param")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def find_environment(client: Client, ref: str) -> dict:
    """An environment by id, `team/name` or name (when one of your teams has it)."""
    if ref.isdigit():
        return client.get(f"environments/{ref}/")
    team, _, name = ref.rpartition("/")
    matches = client.get("environments/", name=name, team=team or None, live=True)["results"]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise Refused(404, {"message": f"No environment {ref!r} that you can see; `platform list` shows yours."})
    teams = ", ".join(f"{m['team']}/{m['name']}" for m in matches)
    raise Refused(409, {"message": f"{ref!r} is in several teams ({teams}); write team/name."})


def finish(client: Client, change: dict, *, output: str, wait: bool) -> int:
    """Follow a submitted change (unless --no-wait); the exit code says how it ended."""
    if wait:
        change = follow_change(client, change["id"], show_log=output != "json")
    emit(change, output, CHANGE_COLUMNS)
    if change["status"] == "awaiting_approval":
        waiting = ", ".join(r["group"] for r in client.get(f"changes/{change['id']}/")["requirements"]
                            if not r["decision"])  # fmt: skip
        err.print(f"Waits for approval from: {waiting}. `platform status #{change['id']}` shows where it is.")
    if change["status"] in ("rejected", "failed", "cancelled"):
        refusal({"message": change.get("failure_reason") or f"Change #{change['id']} {change['status']}.",
                 "violations": change.get("violations", [])}, output)  # fmt: skip
        return REFUSED
    return DONE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("1.0.0", prog_name="platform")
def cli():
    """Request, change and follow environments on IDP Portal."""


@cli.command()
@click.option("--url", prompt="Portal URL", help="e.g. https://idp.example.com")
@click.option("--token", prompt=True, hide_input=True, help="A token from the portal's Access tokens page.")
def login(url, token):
    """Check a token against the portal and keep it in your config directory (owner-only)."""
    try:
        teams = Client(config.Settings(url=url.rstrip("/"), token=token)).get("teams/")
    except Refused as exc:
        refusal(exc.error, "table")
        sys.exit(REFUSED)
    except Unreachable as exc:
        err.print(f"[red]Unreachable:[/red] {exc}")
        sys.exit(UNREACHABLE)
    path = config.save(url, token)
    names = ", ".join(t["slug"] for t in teams["results"]) or "no team yet"
    out.print(f"Logged in to {url} (teams: {names}); token kept in {path}.")


@cli.command()
@output_option
@command
def catalogue(client, output):
    """The patterns you can request, with their aliases, sizes and tiers."""
    patterns = client.all("patterns/")
    rows = [{"slug": p["slug"], "name": p["name"], "aliases": ", ".join(p.get("aliases") or []),
             "version": (p["current_version"] or {}).get("version"),
             "sizes": ", ".join((p["current_version"] or {}).get("sizes") or {}),
             "tiers": ", ".join((p["current_version"] or {}).get("allowed_tiers") or [])} for p in patterns]  # fmt: skip
    emit(rows if output != "json" else patterns, output,
         [("slug", "Pattern"), ("name", "Name"), ("aliases", "Also"), ("version", "Version"), ("sizes", "Sizes"),
          ("tiers", "Tiers")])  # fmt: skip


@cli.command()
@click.argument("pattern")
@click.option("--name", required=True, help="The environment's name, e.g. checkout-dev.")
@click.option("--team", help="Your team's slug (needed only if you are in several).")
@click.option("--tier", default="dev", show_default=True)
@click.option("--size", help="A size preset of the pattern (small, medium, large…).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter; repeat for more.")
@click.option("--ttl-days", type=int, help="Days to live (default: the tier's).")
@click.option("--application", help="Groups the tiers of one application for promotion (default: the name).")
@click.option("--reason", default="", help="What it is for; reviewers read it.")
@click.option("--wait/--no-wait", default=True, help="Follow the change to its end (default) or return at once.")
@output_option
@command
def create(client, pattern, name, team, tier, size, params, ttl_days, application, reason, wait, output):
    """Request a new environment, e.g. `platform create app-environment --name=dev --size=small`."""
    if team is None:
        teams = client.get("teams/")["results"]
        if len(teams) != 1:
            raise Refused(400, {"message": "You are in several teams (or none): say which with --team.",
                                "fields": {"team": [", ".join(t["slug"] for t in teams) or "no team"]}})  # fmt: skip
        team = teams[0]["slug"]
    body = {"team": team, "pattern": pattern, "name": name, "tier": tier, "parameters": parse_params(params),
            "ttl_days": ttl_days, "reason": reason}  # fmt: skip
    if size:
        body["size"] = size
    if application:
        body["application"] = application
    return finish(client, client.post("environments/", body), output=output, wait=wait)


@cli.command(name="list")
@click.option("--team")
@click.option("--tier")
@click.option("--all", "show_all", is_flag=True, help="Also decommissioned and withdrawn ones.")
@output_option
@command
def list_environments(client, team, tier, show_all, output):
    """Your teams' environments."""
    environments = client.all("environments/", team=team, tier=tier, live=None if show_all else True)
    emit(environments, output, ENV_COLUMNS)


@cli.command()
@click.argument("ref")
@output_option
@command
def status(client, ref, output):
    """An environment (id, team/name or name), or a change (#id)."""
    if ref.startswith("#"):
        change = client.get(f"changes/{ref[1:]}/")
        emit(change, output, CHANGE_COLUMNS)
        if output != "json":
            for requirement in change["requirements"]:
                decided = requirement["decision"] or "waiting"
                out.print(f"  approval {requirement['group']}: {decided} {requirement['reviewer'] or ''}")
            for item in (change.get("plan") or {}).get("changes", []):
                out.print(f"  {item['action']:8} {item['address']}")
        return DONE
    environment = find_environment(client, ref)
    emit(environment, output, ENV_COLUMNS)
    if output != "json" and environment.get("orphans"):
        err.print("Resources in the cloud that no state holds (an apply was interrupted); delete the ones that should "
                  "not exist with `platform retry #<change> --delete-orphan ARN`:")  # fmt: skip
        for item in environment["orphans"]:
            err.print(f"  {item['arn']}  ({item['reason']})")
    return DONE


@cli.command()
@click.argument("ref")
@click.option("--follow", "-f", is_flag=True, help="Keep printing until the run ends.")
@output_option
@command
def logs(client, ref, follow, output):
    """The Terraform log of a run (run id) or of a change's latest run (#change)."""
    if ref.startswith("#"):
        runs = client.get(f"changes/{ref[1:]}/")["runs"]
        if not runs:
            raise Refused(404, {"message": f"Change {ref} has no run yet."})
        ref = str(runs[-1]["id"])
    page = follow_run(client, int(ref), follow=follow and output != "json")
    if output == "json":
        emit(page, output)
    return DONE


@cli.command()
@click.argument("ref")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", required=True)
@click.option("--reason", default="")
@click.option("--wait/--no-wait", default=True)
@output_option
@command
def update(client, ref, params, reason, wait, output):
    """Change parameters of a running environment (the rest stay as they are)."""
    environment = find_environment(client, ref)
    parameters = {**environment["parameters"], **parse_params(params)}
    change = client.post(f"environments/{environment['id']}/update/", {"parameters": parameters, "reason": reason})
    return finish(client, change, output=output, wait=wait)


@cli.command()
@click.argument("ref")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Values for the new version.")
@click.option("--preview", is_flag=True, help="Only plan it: show what the upgrade would change.")
@click.option("--wait/--no-wait", default=True)
@output_option
@command
def upgrade(client, ref, params, preview, wait, output):
    """Move an environment to its pattern's newest version."""
    environment = find_environment(client, ref)
    body = {"parameters": parse_params(params)}
    if preview:
        run = client.post(f"environments/{environment['id']}/upgrade-preview/", body)
        page = follow_run(client, run["id"], follow=wait and output != "json")
        if output == "json":
            emit(client.get(f"runs/{run['id']}/"), output)
        return DONE if page["status"] in ("succeeded", "queued", "running") else REFUSED
    return finish(client, client.post(f"environments/{environment['id']}/upgrade/", body), output=output, wait=wait)


@cli.command()
@click.argument("ref")
@click.option("--reason", default="")
@click.option("--wait/--no-wait", default=True)
@output_option
@command
def promote(client, ref, reason, wait, output):
    """Carry an environment's version and settings to the next tier of its application."""
    environment = find_environment(client, ref)
    change = client.post(f"environments/{environment['id']}/promote/", {"reason": reason})
    return finish(client, change, output=output, wait=wait)


@cli.command()
@click.argument("ref")
@click.option("--days", type=click.IntRange(1, 3650), required=True)
@click.option("--reason", default="", help="Needed beyond the tier's maximum: the platform team decides.")
@output_option
@command
def extend(client, ref, days, reason, output):
    """Keep an environment longer."""
    environment = find_environment(client, ref)
    result = client.post(f"environments/{environment['id']}/extend/", {"days": days, "reason": reason})
    if "action" in result:  # beyond the maximum: a change waiting for review
        return finish(client, result, output=output, wait=False)
    emit(result, output, ENV_COLUMNS)
    return DONE


@cli.command()
@click.argument("ref")
@click.option("--confirm", help="The environment's name, typed to confirm (asked when not given).")
@click.option("--reason", default="")
@click.option("--wait/--no-wait", default=True)
@output_option
@command
def destroy(client, ref, confirm, reason, wait, output):
    """Decommission an environment: every resource is destroyed."""
    environment = find_environment(client, ref)
    if confirm is None:
        if not sys.stdin.isatty():
            raise Refused(400, {"message": "Confirm with --confirm <environment name>.",
                                "fields": {"confirm_name": ["Type the environment's name to confirm."]}})  # fmt: skip
        confirm = click.prompt(f"Type {environment['name']} to destroy every resource of {environment['team']}/"
                               f"{environment['name']}")  # fmt: skip
    change = client.post(f"environments/{environment['id']}/decommission/", {"confirm_name": confirm,
                                                                            "reason": reason})  # fmt: skip
    return finish(client, change, output=output, wait=wait)


@cli.command()
@click.argument("change")
@click.option("--delete-orphan", "orphans", multiple=True, metavar="ARN",
              help="A resource no state holds (`platform status` lists them), deleted before the plan; repeat.")  # fmt: skip
@click.option("--wait/--no-wait", default=True)
@output_option
@command
def retry(client, change, orphans, wait, output):
    """Plan a failed change (#id) again from the current state."""
    change_id = change.lstrip("#")
    client.post(f"changes/{change_id}/retry/", {"delete_orphans": list(orphans)})
    return finish(client, client.get(f"changes/{change_id}/"), output=output, wait=wait)


@cli.command()
@output_option
@command
def approvals(client, output):
    """What waits for one of your reviewer groups."""
    waiting = client.all("approvals/")
    rows = [{**item["change"], "group": item["group"], "reasons": " ".join(item["reasons"])} for item in waiting]
    emit(rows if output != "json" else waiting, output,
         [("id", "Change"), ("group", "For"), ("team", "Team"), ("environment_name", "Environment"),
          ("action", "Action"), ("requested_by", "By"), ("cost_estimate", "$/month"), ("reasons", "Why")])  # fmt: skip


def _decide(client, change, group, comment, output, verb):
    result = client.post(f"changes/{change.lstrip('#')}/{verb}/", {"group": group, "comment": comment})
    emit(result, output, CHANGE_COLUMNS)
    return DONE


@cli.command()
@click.argument("change")
@click.option("--group", required=True, help="Your reviewer group the change waits for (network, security…).")
@click.option("--comment", default="")
@output_option
@command
def approve(client, change, group, comment, output):
    """Approve a change for one of your groups (never your own change)."""
    return _decide(client, change, group, comment, output, "approve")


@cli.command()
@click.argument("change")
@click.option("--group", required=True)
@click.option("--comment", required=True, help="Why: the requester reads it.")
@output_option
@command
def reject(client, change, group, comment, output):
    """Reject a change for one of your groups."""
    return _decide(client, change, group, comment, output, "reject")


@cli.command()
@click.argument("ref", required=False)
@click.option("--team", help="A team's costs (default: each of yours).")
@output_option
@command
def costs(client, ref, team, output):
    """Estimated and actual cost: of an environment, or of your teams against their budgets."""
    if ref:
        environment = find_environment(client, ref)
        emit(client.get(f"environments/{environment['id']}/costs/"), output if output == "json" else "table")
        return DONE
    teams = [team] if team else [t["slug"] for t in client.get("teams/")["results"]]
    summaries = [client.get(f"teams/{slug}/costs/") for slug in teams]
    emit(summaries, output, [("team", "Team"), ("monthly_budget", "Budget"), ("run_rate", "Run rate"),
                             ("month_to_date", "Month to date"), ("forecast", "Forecast"),
                             ("live_environments", "Environments")])  # fmt: skip
    return DONE


def _read_files(paths: tuple[str, ...]) -> list[dict]:
    files = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                files.append({"path": path, "content": handle.read()})
        except UnicodeDecodeError:
            raise click.BadParameter(f"{path} is not UTF-8 text.", param_hint="FILE") from None
    return files


def _quote_line(result: dict) -> str:
    quote = result.get("quote") or {}
    budget = quote.get("budget") or {}
    what = f"{result['action']} {result['team']}/{result['name']}"
    if not quote.get("monthly"):
        return f"{result['path']}: {what}"
    line = f"{result['path']}: {what}, {quote['monthly']} a month"
    if budget:
        over = " — over budget" if budget.get("over_budget") else ""
        line += f" (team budget {budget.get('budget')}, projected this month {budget.get('projected')}{over})"
    return line


def _github(kind: str, message: str, **where) -> str:
    def escape(text, extra=False):
        text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if extra else text

    props = ",".join(f"{key}={escape(value, extra=True)}" for key, value in where.items() if value not in (None, ""))
    return f"::{kind} {props}::{escape(message)}" if props else f"::{kind}::{escape(message)}"


def report_checks(results: list[dict], fmt: str, output: str) -> int:
    """Problems as `file:line: field: message` (or GitHub annotations), then the quote of each file."""
    if output == "json":
        emit({"valid": all(r["valid"] for r in results), "files": results}, output)
        return DONE if all(r["valid"] for r in results) else REFUSED
    for result in results:
        for problem in result["problems"]:
            if fmt == "github":
                kind = "error" if problem["severity"] == "error" else "warning"
                out.print(_github(kind, f"{problem['field']}: {problem['message']}" if problem["field"] else
                                  problem["message"], file=problem["path"], line=problem["line"]), markup=False)  # fmt: skip
            else:
                label = "" if problem["severity"] == "error" else "warning: "
                out.print(f"{problem['path']}:{problem['line']}: {label}"
                          f"{problem['field'] + ': ' if problem['field'] else ''}{problem['message']}", markup=False)  # fmt: skip
        if result["valid"]:
            line = _quote_line(result)
            out.print(_github("notice", line, file=result["path"]) if fmt == "github" else line, markup=False)
            for note in result["notes"]:
                out.print(f"  {note}", markup=False)
    errors = sum(1 for r in results for p in r["problems"] if p["severity"] == "error")
    if fmt != "github":
        verdict = "valid" if not errors else f"{errors} error(s)"
        err.print(f"{len(results)} file(s) checked: {verdict}.")
    return DONE if not errors else REFUSED


format_option = click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text",
                             show_default=True, help="github: GitHub Actions annotations (::error file=…,line=…::).")  # fmt: skip


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@format_option
@output_option
@command
def validate(client, files, fmt, output):
    """Check request files against the catalogue, the parameter policies and the budget, with a cost quote.

    Prints each problem as `file:line: field: message`; exit 1 on any error, 0 when every file is valid.
    Nothing is stored: run it in any CI (PLATFORM_URL and a read-scope PLATFORM_TOKEN)."""
    result = client.post("request-files/validate/", {"files": _read_files(files)})
    return report_checks(result["files"], fmt, output)


@cli.command()
@click.option("-f", "--file", "path", required=True, type=click.Path(exists=True, dir_okay=False))
@format_option
@output_option
@command
def plan(client, path, fmt, output):
    """What applying a request file would do, and what it would cost.

    A speculative check and quote, not a Terraform plan: the portal checks the values, your permission,
    the parameter policies and the budget, and prices the file; it runs no Terraform and stores nothing.
    The plan itself runs (and is shown) once the change is submitted with `platform apply -f`."""
    result = client.post("request-files/validate/", {"files": _read_files((path,))})
    if output != "json" and fmt != "github":
        err.print("A speculative check and quote, not a Terraform plan: `platform apply -f` submits it and the plan "
                  "runs then.")  # fmt: skip
    return report_checks(result["files"], fmt, output)


@cli.command()
@click.option("-f", "--file", "path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--wait/--no-wait", default=True, help="Follow the change to its end (default) or return at once.")
@output_option
@command
def apply(client, path, wait, output):
    """Create, update or upgrade the environment a request file describes (nothing when it already matches)."""
    [file] = _read_files((path,))
    try:
        result = client.post("request-files/apply/", file)
    except Refused as exc:
        problems = (exc.error.get("file") or {}).get("problems")
        if not problems or output == "json":
            raise
        for problem in problems:
            if problem["severity"] == "error":
                err.print(problem["text"], markup=False)
        return REFUSED
    if result["action"] == "none":
        if output == "json":
            emit(result, output)
        else:
            out.print(f"{path}: nothing to do. " + " ".join(result["notes"]), markup=False)
        return DONE
    return finish(client, result["change_detail"], output=output, wait=wait)


if __name__ == "__main__":  # pragma: no cover
    cli()
