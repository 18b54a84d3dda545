"""The engine: apply one rule per node, in graph order. Standard library only."""

from __future__ import annotations

from collections import namedtuple
from math import prod

from .errors import CnnCalcError, LayerError, shown
from .expand import Network
from .layers import IDENTITY, KINDS
from .layout import shape_text
from .limits import MAX_BATCH
from .report import DTYPE_BYTES, LayerReport, Report, Totals


class Field(namedtuple("Field", "size jump start")):
    """The receptive field of a layer's outputs, per spatial dimension, in input positions:
    size, jump (the distance between neighbouring outputs' fields: the effective stride) and
    start (where output 0's field begins; negative inside the padding; Araujo et al.'s
    effective padding is −start)."""

    __slots__ = ()

    @classmethod
    def of_input(cls, rank: int) -> "Field":
        return cls((1,) * rank, (1,) * rank, (0,) * rank)

    def through(self, window) -> "Field | None":
        """rf_out = rf_in + (k_eff − 1)·jump_in, jump_out = jump_in·stride,
        start_out = start_in − pad_before·jump_in (Araujo et al., Distill 2019)."""
        if len(window) != len(self.size):
            return None
        return Field(tuple(r + (w.kernel - 1) * j for r, j, w in zip(self.size, self.jump, window)),
                     tuple(j * w.stride for j, w in zip(self.jump, window)),
                     tuple(s - w.pad_before * j for s, j, w in zip(self.start, self.jump, window)))


def _merged(fields):
    """The field of a position-keeping merge: per dimension, the union of its inputs' fields
    where they agree in rank and jump. Where the jumps differ (a squeeze-and-excitation gate
    broadcast over a feature map, branches at different strides) the fields are not aligned
    and no single size, jump and start describes them: undefined, never a guess."""
    if len({len(f.size) for f in fields}) > 1 or len({f.jump for f in fields}) > 1:
        return None
    rank = range(len(fields[0].size))
    start = tuple(min(f.start[i] for f in fields) for i in rank)
    end = tuple(max(f.start[i] + f.size[i] for f in fields) for i in rank)
    return Field(tuple(e - s for s, e in zip(start, end)), fields[0].jump, start)


def _receptive(window, ins):
    """The receptive field after a layer: undefined when the layer's window is, or any input's."""
    if window is None or any(f is None for f in ins):
        return None
    if window == IDENTITY:
        return ins[0] if len(ins) == 1 else _merged(ins)
    return ins[0].through(window)


def run(net: Network, input_shape=None, batch: int = 1, dtype: str = "float32") -> Report:
    """Evaluate every node of the network on input_shape (channels-first; default: the file's)."""
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise CnnCalcError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, but saw {shown(dtype)}")
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= MAX_BATCH:
        raise CnnCalcError(f"batch must be a whole number from 1 to {MAX_BATCH:,}, but saw {shown(batch)}")
    x0 = tuple(input_shape) if input_shape is not None else net.input_shape
    if len(x0) != len(net.input_shape):
        raise CnnCalcError(f"the input must have {len(net.input_shape)} dimensions like the file's "
                           f"{net.layout}, but saw {len(x0)}")
    shapes: dict[str, tuple] = {}
    fields: dict[str, Field | None] = {}
    layers = []
    for node in net.nodes:
        kind = KINDS[node.kind]
        xs = [shapes[i] for i in node.inputs]
        try:
            if node.kind == "input":
                y, warnings = x0, []
                field = Field.of_input(len(x0) - 1) if len(x0) > 1 else None
            else:
                y, warnings = kind.shape(node.attrs, xs)
                field = _receptive(kind.window(node.attrs, xs), [fields[i] for i in node.inputs])
            p = kind.params(node.attrs, xs, y)
            macs = kind.macs(node.attrs, xs, y)
        except LayerError as e:
            inputs = ", ".join(shape_text(x) for x in xs)
            raise CnnCalcError(f"layer '{node.name}' ({node.kind}) on input {inputs}: {e.message}",
                               node.loc) from None
        shapes[node.name] = y
        fields[node.name] = field
        layers.append(LayerReport(
            name=node.name, kind=node.kind, label=kind.label(node.attrs), output_shape=y,
            activation_size=prod(y), weights=p.weights, biases=p.biases,
            non_trainable_params=p.non_trainable, macs=macs, warnings=tuple(warnings),
            inputs=node.inputs, scope=node.scope, field=field))
    layers = tuple(layers)
    return Report(name=net.name, layout=net.layout, input_shape=x0, layers=layers,
                  totals=Totals.of(layers), batch=batch, dtype=dtype,
                  params_set=tuple(net.params.items()), description=net.description, source=net.source)
