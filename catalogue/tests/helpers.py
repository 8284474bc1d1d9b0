"""Plain helpers shared by the catalogue, provisioning-view and governance tests (no fixtures here)."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import yaml
from django.conf import settings


def copy_patterns(destination: Path, *slugs: str) -> Path:
    """A writable copy of the shipped patterns folder (all of it, or only `slugs`)."""
    root = destination / "patterns"
    root.mkdir()
    for folder in sorted(Path(settings.PATTERNS_DIR).iterdir()):
        if folder.is_dir() and (not slugs or folder.name in slugs):
            shutil.copytree(folder, root / folder.name)
    return root


def read_yaml(folder: Path) -> dict:
    return yaml.safe_load((folder / "pattern.yaml").read_text())


def write_yaml(folder: Path, data: dict) -> None:
    (folder / "pattern.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def edit_yaml(folder: Path, change) -> None:
    """Load pattern.yaml, let `change(data)` edit it in place, write it back."""
    data = read_yaml(folder)
    change(data)
    write_yaml(folder, data)


def catalogue_state() -> dict:
    """Everything sync_catalogue may write, to compare before and after."""
    from catalogue.models import Pattern, PatternVersion
    from governance.models import AuditEvent

    return {
        "patterns": sorted(Pattern.objects.values_list("slug", "name", "summary", "is_active")),
        "versions": sorted(
            PatternVersion.objects.values_list("pattern__slug", "version", "status", "checksum", "source_path")
        ),
        "audit_events": AuditEvent.objects.count(),
    }


def request_records() -> dict:
    """Counts of everything a request writes, to prove that a refused one wrote nothing."""
    from governance.models import AuditEvent
    from provisioning.models import ChangeRequest, Environment, Run

    return {
        "environments": Environment.objects.count(),
        "changes": ChangeRequest.objects.count(),
        "runs": Run.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def form_data(version, team, **overrides) -> dict:
    """A valid POST of the request form for `version`: its schema defaults plus the standard fields.

    Overrides replace a value; an override of None leaves the field out of the POST.
    """
    data = {
        "pattern_version": str(version.pk),
        "team": str(team.pk) if team is not None else "",
        "name": "checkout-dev",
        "tier": version.allowed_tiers[0],
        "ttl_days": "",
        "reason": "",
    }
    for name, prop in version.parameters_schema["properties"].items():
        if "default" not in prop:
            continue
        default = prop["default"]
        if prop["type"] == "boolean":
            if default:
                data[name] = "on"
        elif prop["type"] == "array":
            data[name] = "\n".join(str(item) for item in default)
        else:
            data[name] = str(default)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# -- reading rendered pages ----------------------------------------------------
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def text(self) -> str:
        return " ".join(
            " ".join(c.split()) if isinstance(c, str) else c.text for c in self.children if str(c).strip()
        ).strip()

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, *, id: str | None = None, cls: str | None = None) -> list:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            matches_tag = tag is None or child.tag == tag
            matches_id = id is None or child.attrs.get("id") == id
            if matches_tag and matches_id and (cls is None or cls in child.classes):
                found.append(child)
            found.extend(child.find_all(tag, id=id, cls=cls))
        return found

    def find(self, tag: str | None = None, **kwargs):
        found = self.find_all(tag, **kwargs)
        return found[0] if found else None

    def __str__(self) -> str:
        return self.text


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(content: bytes | str) -> Element:
    builder = _TreeBuilder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    return builder.root


def field_errors(content: bytes | str, name: str) -> list[str]:
    """The messages shown next to the form field `name` (inside its `#field-<name>` block)."""
    block = parse_html(content).find(id=f"field-{name}")
    assert block is not None, f"no field {name!r} on the page"
    errors = block.find("ul", cls="errors")
    return [li.text for li in errors.find_all("li")] if errors else []


def page_errors(content: bytes | str) -> str:
    """The notice at the top of the form (non-field errors)."""
    notice = parse_html(content).find(id="form-errors")
    return notice.text if notice else ""


def form_values(content: bytes | str, form_id: str) -> dict:
    """What a browser would submit from the rendered form, unchanged."""
    form = parse_html(content).find(id=form_id)
    values = {}
    for element in form.find_all("input"):
        kind, name = element.attrs.get("type", "text"), element.attrs.get("name")
        if not name or (kind == "checkbox" and "checked" not in element.attrs):
            continue
        values[name] = element.attrs.get("value", "on" if kind == "checkbox" else "")
    for select in form.find_all("select"):
        options = select.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        values[select.attrs["name"]] = chosen[0].attrs.get("value", chosen[0].text) if chosen else ""
    for textarea in form.find_all("textarea"):
        values[textarea.attrs["name"]] = "\n".join(
            child for child in textarea.children if isinstance(child, str)
        ).strip("\n")
    return values
