"""Schema-driven handling of resource state: normalising, planning and replacement detection.

These are pure functions over ``tf.schema.Schema`` / nested blocks and plain Python values, so
they are unit-tested without Terraform. The servicer calls them; resources rarely need them.

Planning follows SDKv2 (the real provider's framework): computed attributes the configuration
leaves null are unknown on create and keep their prior value on update, SDKv2 ``Default`` values
are planned, and members that an "attributes as blocks" object (``ingress { ... }``,
``route { ... }``) leaves out are planned as their zero value (``""``, ``[]``, ``false``, ``0``),
which Terraform accepts because the servicer answers with SDKv2's ``legacy_type_system`` flag.
"""

import json
from collections.abc import Iterator
from typing import Any

from tf.schema import Attribute, NestedBlock, Schema

from .blocks import ListNestedBlock, SetNestedBlock, SingleNestedBlock
from .types import List, Map, Object, Set, TfType, Unknown, normalize_value, zero_value

Node = Schema | NestedBlock
Path = list[str | tuple[int]]


def attributes_of(node: Node) -> list[Attribute]:
    return node.attributes if isinstance(node, Schema) else node.block.attributes


def blocks_of(node: Node) -> list[NestedBlock]:
    return node.block_types if isinstance(node, Schema) else node.block.block_types


def _empty(block: NestedBlock) -> Any:
    return None if isinstance(block, SingleNestedBlock) else []


def normalize(node: Node, obj: Any) -> Any:
    """Every schema key present (missing ones null/empty), keys outside the schema dropped."""
    if obj is None or obj is Unknown:
        return obj
    out: dict[str, Any] = {}
    for a in attributes_of(node):
        out[a.name] = normalize_value(a.type, obj.get(a.name))
    for b in blocks_of(node):
        v = obj.get(b.type_name)
        if v is Unknown:
            out[b.type_name] = v
        elif isinstance(b, SingleNestedBlock):
            out[b.type_name] = normalize(b, v)
        else:
            out[b.type_name] = [normalize(b, e) for e in (v or [])]
    return out


def blank_state(node: Node, **values: Any) -> dict:
    """A normalised state with only the given values set (e.g. ``id`` for an import)."""
    return normalize(node, values)


def _strip(value: Any) -> Any:
    if value is Unknown:
        return None
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def strip_unknown(node: Node, obj: Any) -> Any:
    """After apply/read nothing may stay unknown: leftovers become null (empty for blocks)."""
    if obj is None or obj is Unknown:
        return None
    out = {a.name: _strip(obj.get(a.name)) for a in attributes_of(node)}
    for b in blocks_of(node):
        v = obj.get(b.type_name)
        if isinstance(b, SingleNestedBlock):
            out[b.type_name] = strip_unknown(b, v)
        else:
            out[b.type_name] = [strip_unknown(b, e) for e in v] if isinstance(v, list) else []
    return out


def has_unknown(value: Any) -> bool:
    if value is Unknown:
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def _is_zero(t: TfType, value: Any) -> bool:
    return value is not None and value is not Unknown and value == zero_value(t)


def _config_child(config: Any, name: str) -> Any:
    return config.get(name) if isinstance(config, dict) else None


def plan_object(node: Node, proposed: dict, prior: dict | None, config: Any, *, creating: bool) -> dict:
    """Turn Terraform's proposed new state into the provider's planned state.

    Attributes that are computed and null in the configuration get the ``default`` if they have
    one (SDKv2 Default; such attributes are declared computed), else unknown on create and the
    prior value on update. Objects inside configurable attributes (security-group rules, routes)
    get SDKv2's zero value for every member left null, and sets holding an unknown value are
    wholly unknown, as the real provider plans them.
    ``config`` is the configuration value of this object, or None where it cannot be matched
    (set elements): then a null proposed value stands for a null config.
    """
    out = dict(proposed)
    for a in attributes_of(node):
        p = proposed.get(a.name)
        if a.optional and _has_objects(a.type):
            out[a.name] = zero_filled(a.type, p)
        if isinstance(a.type, Set) and has_unknown(out[a.name]):
            # SDKv2 hashes set elements, so a set with anything unknown in it is wholly unknown
            # (e.g. vpc_security_group_ids = [aws_security_group.x.id] on create).
            out[a.name] = Unknown
        config_null = p is None if config is None else _config_child(config, a.name) is None
        if not (a.computed and config_null):
            continue
        if a.default is not Unknown:
            out[a.name] = a.default
        elif creating:
            out[a.name] = Unknown
    for b in blocks_of(node):
        name = b.type_name
        p = proposed.get(name)
        prior_v = prior.get(name) if prior is not None else None
        cfg = _config_child(config, name)
        if p is Unknown or p is None or cfg is Unknown:
            continue
        if isinstance(b, SingleNestedBlock):
            pv = prior_v if isinstance(prior_v, dict) else None
            out[name] = plan_object(b, p, pv, cfg if isinstance(cfg, dict) else None, creating=pv is None)
        elif isinstance(b, ListNestedBlock):
            planned_list = []
            for i, elem in enumerate(p):
                pe = prior_v[i] if isinstance(prior_v, list) and i < len(prior_v) else None
                ce = cfg[i] if isinstance(cfg, list) and i < len(cfg) else None
                planned_list.append(plan_object(b, elem, pe, ce, creating=pe is None))
            out[name] = planned_list
        else:
            # Set elements have no position: match each to a prior element that agrees on every
            # attribute the element sets (Terraform has already copied prior computed values
            # into matching elements of the proposal).
            candidates = list(prior_v) if isinstance(prior_v, list) else []
            planned_set = []
            for elem in p:
                match = _match_element(b, elem, candidates)
                planned_set.append(plan_object(b, elem, match, None, creating=match is None))
            out[name] = planned_set
    return out


def _match_element(block: NestedBlock, elem: dict, candidates: list[dict]) -> dict | None:
    for candidate in candidates:
        if all(
            elem.get(a.name) is None
            or elem.get(a.name) is Unknown
            or canonical(a.type, elem.get(a.name)) == canonical(a.type, candidate.get(a.name))
            for a in attributes_of(block)
        ):
            return candidate
    return None


def _same_or_nulled(node: Node, ref: dict, new: dict) -> bool:
    """Does ``new`` equal ``ref`` once null-preserving is applied (for matching set elements)?"""
    for a in attributes_of(node):
        r, n = ref.get(a.name), new.get(a.name)
        if r is Unknown or (r is None and (n is None or _is_zero(a.type, n))):
            continue
        if canonical(a.type, r) != canonical(a.type, n):
            return False
    return True


def _has_objects(t: TfType) -> bool:
    if isinstance(t, Object):
        return True
    if isinstance(t, (List, Map)):
        return _has_objects(t.element_type)
    return False


def zero_filled(t: TfType, value: Any) -> Any:
    """``value`` with every null member of its objects replaced by SDKv2's zero value."""
    if value is None or value is Unknown:
        return value
    if isinstance(t, Object) and isinstance(value, dict):
        return {
            k: zero_value(mt) if value.get(k) is None else zero_filled(mt, value.get(k))
            for k, mt in t.attributes.items()
        }
    if isinstance(t, List) and isinstance(value, list):  # Set is a List subclass
        return [zero_filled(t.element_type, v) for v in value]
    if isinstance(t, Map) and isinstance(value, dict):
        return {k: zero_filled(t.element_type, v) for k, v in value.items()}
    return value


def preserve_nulls(node: Node, reference: Any, new: Any) -> Any:
    """Keep null where ``reference`` (the planned or prior state) has null and AWS reports the
    zero value ("" / false / 0 / [] / {}) for a non-computed attribute, and keep blocks marked
    ``computed`` empty when the reference has none. Terraform requires applied and refreshed
    values of non-computed attributes to match the configuration exactly, and SDKv2 does not
    tell null from zero; resources can thus report AWS values without tracking nulls."""
    if not isinstance(reference, dict) or not isinstance(new, dict):
        return new
    out = dict(new)
    for a in attributes_of(node):
        ref_v, new_v = reference.get(a.name), new.get(a.name)
        if not a.computed and ref_v is None and _is_zero(a.type, new_v):
            out[a.name] = None
    for b in blocks_of(node):
        ref_v, new_v = reference.get(b.type_name), new.get(b.type_name)
        if getattr(b, "computed", False) and ref_v in (None, []):
            out[b.type_name] = _empty(b)
        elif isinstance(b, SingleNestedBlock):
            out[b.type_name] = preserve_nulls(b, ref_v, new_v)
        elif isinstance(new_v, list) and isinstance(ref_v, list):
            if isinstance(b, ListNestedBlock):
                out[b.type_name] = [
                    preserve_nulls(b, ref_v[i], e) if i < len(ref_v) else e for i, e in enumerate(new_v)
                ]
            else:
                elems = []
                for e in new_v:
                    match = next((r for r in ref_v if isinstance(r, dict) and _same_or_nulled(b, r, e)), None)
                    elems.append(preserve_nulls(b, match, e))
                out[b.type_name] = elems
    return out


# -- comparison and replacement ------------------------------------------------------------------


def _canon_number(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def canonical(t: TfType, value: Any) -> Any:
    """A form of a value where semantically equal values compare equal (sets unordered)."""
    if value is None or value is Unknown:
        return value
    if isinstance(t, Set):
        return sorted(json.dumps(canonical(t.element_type, v), sort_keys=True) for v in value)
    if isinstance(t, List):
        return [canonical(t.element_type, v) for v in value]
    if isinstance(t, Map):
        return {k: canonical(t.element_type, v) for k, v in value.items()}
    if isinstance(t, Object):
        return {k: canonical(mt, value.get(k)) for k, mt in t.attributes.items()}
    return _canon_number(value)


def canonical_block(block: NestedBlock, value: Any) -> Any:
    if value is None or value is Unknown:
        return value
    if isinstance(block, SingleNestedBlock):
        return canonical_object(block, value)
    elems = [canonical_object(block, e) for e in value]
    if isinstance(block, SetNestedBlock):
        return sorted(json.dumps(e, sort_keys=True, default=repr) for e in elems)
    return elems


def canonical_object(node: Node, obj: Any) -> Any:
    if obj is None or obj is Unknown:
        return obj
    out = {a.name: canonical(a.type, obj.get(a.name)) for a in attributes_of(node)}
    for b in blocks_of(node):
        out[b.type_name] = canonical_block(b, obj.get(b.type_name))
    return out


def _differs(old: Any, new: Any) -> bool:
    if new is Unknown:
        return old is not Unknown
    return old != new


def _any_force_new(node: Node) -> bool:
    return any(a.requires_replace for a in attributes_of(node)) or any(
        getattr(b, "requires_replace", False) or _any_force_new(b) for b in blocks_of(node)
    )


def requires_replace(node: Node, prior: dict, planned: dict, path: Path | None = None) -> list[Path]:
    """Attribute paths whose change forces a new resource (SDKv2 ForceNew)."""
    return list(_replace_paths(node, prior, planned, path or []))


def _replace_paths(node: Node, prior: dict, planned: dict, path: Path) -> Iterator[Path]:
    for a in attributes_of(node):
        if a.requires_replace and _differs(
            canonical(a.type, prior.get(a.name)), canonical(a.type, planned.get(a.name))
        ):
            yield [*path, a.name]
    for b in blocks_of(node):
        old, new = prior.get(b.type_name), planned.get(b.type_name)
        if not _differs(canonical_block(b, old), canonical_block(b, new)):
            continue
        if getattr(b, "requires_replace", False):
            yield [*path, b.type_name]
        elif not _any_force_new(b):
            continue
        elif new is Unknown or old is Unknown or isinstance(b, SetNestedBlock):
            yield [*path, b.type_name]
        elif isinstance(b, SingleNestedBlock):
            if old is None or new is None:
                yield [*path, b.type_name]
            else:
                yield from _replace_paths(b, old, new, [*path, b.type_name])
        else:
            old, new = old or [], new or []
            if len(old) != len(new):
                yield [*path, b.type_name]
            else:
                for i, (o, n) in enumerate(zip(old, new, strict=True)):
                    yield from _replace_paths(b, o, n, [*path, b.type_name, (i,)])
