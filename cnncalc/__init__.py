"""cnncalc: exact shapes, parameters and MACs of convolutional networks, framework-free.

Importing cnncalc is cheap: the API, click, rich and yaml load only when first used.
"""

__version__ = "0.1.0"
__all__ = ["analyze", "builtins", "load", "loads", "CnnCalcError", "__version__"]


def __getattr__(name):
    # PEP 562: `cnncalc.analyze` imports the engine on first use, not at `import cnncalc`
    if name in ("analyze", "builtins", "load", "loads"):
        from . import api

        return getattr(api, name)
    if name == "CnnCalcError":
        from .errors import CnnCalcError

        return CnnCalcError
    raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")
