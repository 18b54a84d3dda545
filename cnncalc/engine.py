"""The engine: apply one rule per node, in graph order. Standard library only."""

from __future__ import annotations

from math import prod

from .errors import CnnCalcError, LayerError
from .graph import Network
from .layers import IDENTITY, KINDS
from .report import DTYPE_BYTES, LayerReport, Report, Totals, in_layout


def _receptive(window, ins):
    """Receptive field (per spatial dimension) and jump, composed through the graph:
    rf_out = rf_in + (k_eff − 1)·jump_in, jump_out = jump_in·stride."""
    if window is None or any(state is None for state in ins):
        return None
    if window == IDENTITY:
        if len({len(state[0]) for state in ins}) > 1:
            return None
        return max(ins, key=lambda state: state[0])
    rf, jump = ins[0]
    if len(window) != len(rf):
        return None
    return (tuple(r + (k - 1) * j for r, j, (k, s, _) in zip(rf, jump, window)),
            tuple(j * s for j, (_, s, _) in zip(jump, window)))


def run(net: Network, input_shape=None, batch: int = 1, dtype: str = "float32") -> Report:
    """Evaluate every node of the network on input_shape (channels-first; default: the file's)."""
    if dtype not in DTYPE_BYTES:
        raise CnnCalcError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, but saw {dtype!r}")
    if not isinstance(batch, int) or batch < 1:
        raise CnnCalcError(f"batch must be a whole number of at least 1, but saw {batch!r}")
    x0 = tuple(input_shape) if input_shape is not None else net.input_shape
    if len(x0) != len(net.input_shape):
        raise CnnCalcError(f"the input must have {len(net.input_shape)} dimensions like the file's "
                           f"{net.layout}, but saw {len(x0)}")
    shapes: dict[str, tuple] = {}
    fields: dict[str, tuple] = {}
    layers = []
    for node in net.nodes:
        kind = KINDS[node.kind]
        xs = [shapes[i] for i in node.inputs]
        try:
            if node.kind == "input":
                y, warnings = x0, []
                fields[node.name] = ((1,) * (len(x0) - 1), (1,) * (len(x0) - 1)) if len(x0) > 1 else None
            else:
                y, warnings = kind.shape(node.attrs, xs)
                fields[node.name] = _receptive(kind.window(node.attrs, xs), [fields[i] for i in node.inputs])
            p = kind.params(node.attrs, xs, y)
            macs = kind.macs(node.attrs, xs, y)
        except LayerError as e:
            shown = ", ".join("×".join(map(str, in_layout(x, "hwc"))) for x in xs)
            raise CnnCalcError(f"layer '{node.name}' ({node.kind}) on input {shown}: {e.message}",
                               node.loc) from None
        shapes[node.name] = y
        rf = fields[node.name]
        layers.append(LayerReport(node.name, node.kind, kind.label(node.attrs), y, prod(y),
                                  p.weights, p.biases, p.non_trainable, macs, tuple(warnings),
                                  node.inputs, node.scope, rf[0] if rf else None))
    layers = tuple(layers)
    return Report(net.name, net.layout, x0, layers, Totals.of(layers), batch, dtype,
                  tuple(net.params.items()), net.description, net.source)

