"""Resource families, one module per AWS service area, discovered automatically.

A module here exposes ``RESOURCES = [...]`` (AwsResource subclasses) and optionally
``DATA_SOURCES = [...]``; nothing else needs registering (see sandbox/README.md).
"""

import importlib
import pkgutil
from functools import cache


@cache
def _modules() -> tuple:
    return tuple(
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    )


def _collect(attribute: str) -> list:
    found: dict[str, type] = {}
    for module in _modules():
        for klass in getattr(module, attribute, []):
            if klass.type_name in found:
                raise RuntimeError(f"{klass.type_name} is defined twice ({module.__name__})")
            found[klass.type_name] = klass
    return [found[name] for name in sorted(found)]


def all_resources() -> list:
    return _collect("RESOURCES")


def all_data_sources() -> list:
    return _collect("DATA_SOURCES")
