"""Terraform value types: tf's primitives and collections plus the missing ``Object`` type.

Values travel as plain Python data: str, int/float, bool, list, dict, None, and ``Unknown``.
"""

import json
from typing import Any

from tf.types import Bool, List, Map, NormalizedJson, Number, Set, String, TfType, Unknown

__all__ = ["Bool", "List", "Map", "NormalizedJson", "Number", "Object", "Set", "String", "TfType", "Unknown"]


class Object(TfType):
    """An object with fixed attribute names, e.g. the element type of ``aws_security_group.ingress``.

    The real provider declares such sets with SDKv2's "attributes as blocks" mode, so users may
    write ``ingress { ... }`` blocks or ``ingress = [...]`` and the plan JSON shows an array of
    objects (members a block leaves out are null).
    """

    def __init__(self, attributes: dict[str, TfType]):
        self.attributes = attributes

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, value: Any) -> Any:
        return value

    def tf_type(self) -> bytes:
        members = {name: json.loads(t.tf_type()) for name, t in self.attributes.items()}
        return json.dumps(["object", members], separators=(",", ":")).encode()


def zero_value(t: TfType) -> Any:
    """SDKv2's zero value for a type: what the real provider puts in state for an unset member."""
    if isinstance(t, String):
        return ""
    if isinstance(t, Bool):
        return False
    if isinstance(t, Number):
        return 0
    if isinstance(t, List):  # Set is a List subclass
        return []
    if isinstance(t, Map):
        return {}
    return None


def normalize_value(t: TfType, value: Any) -> Any:
    """Give objects every member (missing ones null) and drop unknown members, recursively."""
    if value is None or value is Unknown:
        return value
    if isinstance(t, Object):
        return {name: normalize_value(mt, value.get(name)) for name, mt in t.attributes.items()}
    if isinstance(t, List):
        return [normalize_value(t.element_type, v) for v in value]
    if isinstance(t, Map):
        return {k: normalize_value(t.element_type, v) for k, v in value.items()}
    return value
