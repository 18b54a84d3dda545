"""Helpers shared by the tests (imported as `helpers`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import functools
import json

import cnncalc
from cnncalc.layout import in_layout, shape_text


def hwc(layer) -> tuple:
    """A layer's output shape in H×W×C order (cnncalc reports channels-first): (55, 55, 96)."""
    return tuple(in_layout(layer.output_shape, "hwc"))


def hwc_text(layer) -> str:
    """The same, spelled as the course tables spell it: 55x55x96."""
    return shape_text(layer.output_shape, "hwc", "x")


@functools.cache
def analyzed(name: str, **kwargs):
    """analyze() memoized per built-in name and arguments, for tests that read many rows of
    one network. Reports are immutable, so sharing them is safe."""
    return cnncalc.analyze(name, **kwargs)


def network_yaml(layer, shape, layout) -> str:
    """A one-layer (or few-layer) network file around `layer`."""
    layers = layer if isinstance(layer, list) else [layer]
    # JSON is YAML: flow style keeps the generated text unambiguous
    return f"name: case\ninput: {{shape: {json.dumps(shape)}, layout: {layout}}}\nlayers: {json.dumps(layers)}\n"
