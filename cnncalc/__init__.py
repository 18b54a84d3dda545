"""cnncalc: exact shapes, parameters and MACs of convolutional networks, framework-free.

Importing cnncalc is cheap: click, rich and yaml are imported only when used.
"""

from .api import analyze, builtins, load, loads
from .errors import CnnCalcError

__version__ = "0.1.0"
__all__ = ["analyze", "builtins", "load", "loads", "CnnCalcError", "__version__"]
