"""Loads the Rego engine's library before any other C++ code: `idp_portal/__init__.py` imports this first.

regopy's librego_shared.so brings its own C++ allocator (it defines operator new and delete). When libstdc++
is already in the process as it loads (greenlet, which Playwright and gevent import, is enough), libstdc++
keeps the system allocator, the two disagree on who frees what, and every evaluation leaks what libstdc++
allocated: about 20 MB per distinct Terraform plan, 3 GB for one run of the policy tests. Loaded first,
libstdc++ binds to the engine's allocator and memory stays flat (governance/tests/test_engine_memory.py).
"""

import sys
from pathlib import Path


def libstdcxx_loaded() -> bool:
    try:
        return "libstdc++" in Path("/proc/self/maps").read_text()
    except OSError:  # not Linux: the order cannot be read, assume it is right
        return False


# None: regopy was imported before this module ran, so the order is unknown.
LOADED_BEFORE_LIBSTDCXX: bool | None = None if "regopy" in sys.modules else not libstdcxx_loaded()

import regopy  # noqa: E402, F401  (loaded for its side effect, after the check above)
