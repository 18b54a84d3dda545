"""The layer kinds, one module per family, each kind one class holding every fact about it
(see kinds.base for the list). Importing this package registers them all, through the one
path, register(); KINDS is then the registry, in the families' order below, which is the
order of `cnncalc kinds`, the README's table and the JSON Schema."""

from __future__ import annotations

from . import activations, convolution, dense, merges, normalization, pooling, resampling, reshaping
from .activations import ACTIVATIONS
from .base import (
    ALIASES,
    FACTS,
    IDENTITY,
    KINDS,
    REQUIRED,
    RULES,
    Elementwise,
    Kind,
    NoWeights,
    Opt,
    Params,
    Step,
    Window,
    declares,
    fold,
    register,
    undeclared,
)
from .pooling import AdaptivePool, pool_padding_limit

FAMILIES = (convolution, dense, pooling, activations, normalization, resampling, reshaping, merges)

# the registry in the families' order (a family that needs another's names imports it first)
_order = {family.__name__: i for i, family in enumerate(FAMILIES)}
_kinds = sorted(KINDS.values(), key=lambda kind: _order[type(kind).__module__])
KINDS.clear()
KINDS.update((kind.name, kind) for kind in _kinds)


def alias_of(word) -> str | None:
    """The kind that another framework's name stands for (Conv2d -> conv), or None."""
    return ALIASES.get(fold(word))


__all__ = [
    "ACTIVATIONS",
    "ALIASES",
    "FACTS",
    "FAMILIES",
    "IDENTITY",
    "KINDS",
    "REQUIRED",
    "RULES",
    "AdaptivePool",
    "Elementwise",
    "Kind",
    "NoWeights",
    "Opt",
    "Params",
    "Step",
    "Window",
    "alias_of",
    "declares",
    "fold",
    "pool_padding_limit",
    "register",
    "undeclared",
]
