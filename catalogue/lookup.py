"""Find a pattern by what people type (its slug or one of its aliases) and turn a size preset into values.

Chat and command-line doors say `app-environment` and `--size=small`; patterns may declare `aliases`
and each version `sizes` (small, medium, large → parameter values). Read with getattr so a catalogue
without them still answers by slug.
"""

from __future__ import annotations

from catalogue.models import Pattern, PatternVersion


def aliases_of(pattern: Pattern) -> list[str]:
    return [str(alias) for alias in (getattr(pattern, "aliases", None) or [])]


def sizes_of(version: PatternVersion) -> dict[str, dict]:
    sizes = getattr(version, "sizes", None) or {}
    return sizes if isinstance(sizes, dict) else {}


def find_pattern(name: str, user=None) -> Pattern | None:
    """The listed pattern whose slug or alias is `name` (case-insensitive), or None."""
    wanted = (name or "").strip().lower()
    if not wanted:
        return None
    patterns = Pattern.objects.for_user(user) if user is not None else Pattern.objects.all()
    listed = list(patterns.listed().prefetch_related("versions"))
    exact = next((p for p in listed if p.slug == wanted), None)
    if exact is not None:
        return exact
    return next((p for p in listed if wanted in {a.lower() for a in aliases_of(p)}), None)


def pattern_names(user=None) -> list[str]:
    """What can be typed: every listed slug, with its aliases in brackets."""
    patterns = Pattern.objects.for_user(user) if user is not None else Pattern.objects.all()
    names = []
    for pattern in patterns.listed().order_by("slug"):
        aliases = aliases_of(pattern)
        names.append(f"{pattern.slug} ({', '.join(aliases)})" if aliases else pattern.slug)
    return names


def size_parameters(version: PatternVersion, size: str) -> tuple[dict, dict[str, list[str]]]:
    """The values of `size` for this version, or the error naming the sizes it has."""
    sizes = sizes_of(version)
    if size in sizes and isinstance(sizes[size], dict):
        return dict(sizes[size]), {}
    if not sizes:
        return {}, {"size": [f"{version.pattern.slug} has no size presets; set its parameters instead."]}
    return {}, {"size": [f"{version.pattern.slug} has no size {size!r}; choose one of {', '.join(sizes)}."]}
