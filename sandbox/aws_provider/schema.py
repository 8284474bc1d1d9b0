"""Short helpers to declare resource schemas the way the real provider's Go code reads.

``required`` / ``optional`` / ``computed`` build ``tf.schema.Attribute`` objects.
``force_new=True`` is SDKv2's ForceNew (changing it plans a replacement).
``default=`` is SDKv2's Default: planned when the configuration leaves the attribute null.
Such attributes are declared computed: the same plan values as SDKv2's, without leaning on the
legacy type system's leniency (which the sandbox keeps for the shapes that need it, runner.py).
"""

from typing import Any

from tf.schema import Attribute, NestedBlock, Schema

from .types import Map, String, TfType, Unknown

SCHEMA_VERSION = 0


def required(name: str, type_: TfType, *, force_new: bool = False, sensitive: bool = False) -> Attribute:
    return Attribute(name, type_, required=True, requires_replace=force_new, sensitive=sensitive)


def optional(
    name: str,
    type_: TfType,
    *,
    computed: bool = False,
    force_new: bool = False,
    default: Any = Unknown,
    sensitive: bool = False,
) -> Attribute:
    return Attribute(
        name,
        type_,
        optional=True,
        computed=computed or default is not Unknown,
        requires_replace=force_new,
        default=default,
        sensitive=sensitive,
    )


def computed(name: str, type_: TfType, *, sensitive: bool = False) -> Attribute:
    return Attribute(name, type_, computed=True, sensitive=sensitive)


def id_attribute() -> Attribute:
    # The real provider's `id` is Optional+Computed (SDKv2 adds it that way).
    return Attribute("id", String(), optional=True, computed=True)


def tags_attributes() -> list[Attribute]:
    """``tags`` (Optional) and ``tags_all`` (Computed: default_tags merged with tags, see plan_tags_all)."""
    return [optional("tags", Map(String())), computed("tags_all", Map(String()))]


def resource_schema(*items: Attribute | NestedBlock, version: int = SCHEMA_VERSION) -> Schema:
    attributes = [i for i in items if isinstance(i, Attribute)]
    blocks = [i for i in items if isinstance(i, NestedBlock)]
    names = [a.name for a in attributes] + [b.type_name for b in blocks]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate schema entries: {sorted(duplicates)}")
    if "id" not in names:
        attributes.insert(0, id_attribute())
    return Schema(attributes=attributes, block_types=blocks, version=version)
