"""libcst, imported on first use.

A warm ``lint`` run finds every file in the cache: it parses nothing, yet importing libcst
alone would cost it a third of its time. The rule modules therefore take ``libcst`` from here:
the name behaves like the module, which Python loads the first time one of its attributes is
read (an ``isinstance`` check in a rule, the parser in the engine).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def deferred_import(name: str) -> ModuleType:
    """Return module ``name``, loaded only when one of its attributes is first read.

    :raises ModuleNotFoundError: when ``name`` is not installed.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


libcst = deferred_import("libcst")
