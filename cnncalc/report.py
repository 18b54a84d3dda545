"""The report: the records of an analysis (a row per layer, the totals, the outputs) and
their JSON form as data (schema_version 1, a stable interface), with the folding of rows into
blocks. No formatting: renderers turn records into text. The figures derived from the rows,
memory and traffic (cnncalc.memory) and the peers' counts (cnncalc.conventions), are computed
by those modules when a report is asked for them."""

from __future__ import annotations

from collections import namedtuple
from operator import attrgetter

from .errors import CnnCalcError, CodedWarning
from .layout import in_layout
from .units import DTYPE_BYTES

SCHEMA_VERSION = 1


class UnknownLayer(CnnCalcError, KeyError):
    """A layer name that the report does not have (a KeyError, as a mapping would raise)."""

    def __str__(self) -> str:
        return CnnCalcError.__str__(self)


class _Counts:
    """params and flops, derived the same way for a row and for the totals."""

    __slots__ = ()
    weights: int
    biases: int
    macs: int

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def flops(self) -> int:
        return 2 * self.macs


# namedtuples rather than dataclasses: immutable, and cheap to import (startup matters)
class LayerReport(
    _Counts,
    namedtuple(
        "LayerReport",
        "name kind label output_shape activation_size weights biases "
        "non_trainable_params macs warnings inputs scope field steps "
        "hyperparameters shares",
        defaults=((), (), (), None, (), None, None),
    ),
):
    """One row; build it by keyword. label: the kind with its key hyperparameters
    (conv 3×3/1 p1 ×64); output_shape: channels-first, batch excluded; activation_size:
    elements of the output; scope: enclosing blocks / branches, outermost first; field: the
    receptive field (engine.Field: size, jump and start per spatial dimension) or None; steps:
    the worked arithmetic (kinds.Step), when the analysis was asked to explain; shares: the
    layer whose weights it reuses (`share:`), whose params it does not count again."""

    __slots__ = ()

    @property
    def receptive_field(self):
        """The receptive field's size per spatial dimension, or None where it is undefined."""
        return self.field.size if self.field is not None else None


class Totals(_Counts, namedtuple("Totals", "weights biases non_trainable_params macs activation_size")):
    __slots__ = ()

    @classmethod
    def of(cls, layers) -> Totals:
        layers = list(layers)
        return cls(*(sum(map(attrgetter(field), layers)) for field in cls._fields))


class OutputTotals(namedtuple("OutputTotals", "name node output_shape totals")):
    """One declared output of a network: its name as written, the node it is, its shape, and
    the totals of every layer it depends on (a shared trunk counts in each output)."""

    __slots__ = ()


class Report(
    namedtuple(
        "Report",
        "name layout input_shape layers totals batch dtype params_set description source "
        "param_dtype optimizer roofline peer_counts outputs convention",
        defaults=(1, "float32", (), "", "", None, "sgd", None, None, (), "ours"),
    )
):
    """A whole analysis. layout: the input layout as written in the file (HWC);
    input_shape: channels-first; params_set: the network's parameters (alpha, resolution…)
    as (name, value) pairs, not to be confused with totals.params, a parameter count;
    param_dtype: the element type of the params (None: dtype); optimizer: for the training
    estimate (sgd, momentum or adam); roofline: a memory.Roofline machine, or None;
    outputs: an OutputTotals per network output (one, the last layer, unless declared)."""

    __slots__ = ()

    def traffic(self) -> list:
        """Per layer: (bytes moved, arithmetic intensity in FLOPs per byte, and with a roofline
        machine its time bound and bound side), at the batch and dtypes of the report."""
        from .memory import traffic

        return traffic(self)

    def memory(self) -> dict:
        """Parameter memory, the peak of an inference (without and with in-place activations)
        and a training estimate, in bytes (see cnncalc.memory for the rules)."""
        from .memory import memory_figures

        return memory_figures(self)

    def roofline_summary(self) -> tuple[float, int, int]:
        """With a roofline machine: the bound on a batch in seconds, the memory-bound layers,
        and the layers (see cnncalc.memory)."""
        from .memory import roofline_summary

        return roofline_summary(self)

    @property
    def activation_bytes(self) -> int:
        return self.totals.activation_size * self.batch * DTYPE_BYTES[self.dtype]

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(layer.name, w) for layer in self.layers for w in layer.warnings]

    def select(self, names) -> list[str]:
        """The full names of the layers that `names` point to, as the table shows them: a full
        name (layer1.bottleneck1.conv2) or a block's (layer1), for every layer inside it; else
        the name as the table writes it under its block's header (conv2, bottleneck1, or
        bottleneck1.conv2), for every layer so called. CnnCalcError (a KeyError too) with the
        closest names for a name that points to none."""
        full = [row.name for row in self.layers]
        chosen: dict[str, None] = {}
        for name in names:
            found = [n for n in full if n == name or n.startswith(name + ".")] or [
                n for n in full if f".{name}." in f".{n}."
            ]
            if not found:
                self.layer(name)  # raises, with the closest names
            chosen.update(dict.fromkeys(found))
        return list(chosen)

    def layer(self, name: str) -> LayerReport:
        """The row of the layer called `name`; CnnCalcError (a KeyError too) with the closest
        names when there is none."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        from .errors import did_you_mean

        raise UnknownLayer(
            f"no layer is called {name!r} in {self.name}{did_you_mean(name, [x.name for x in self.layers])}"
        )

    def to_dict(self, layout: str = "hwc") -> dict:
        """The JSON form (schema_version 1)."""
        traffic, peers = self.traffic(), self.conventions()
        return {
            **self.head_dict(layout),
            "layers": [
                self.layer_dict(x, layout, t, {name: values[i] for name, values in peers.items()})
                for i, (x, t) in enumerate(zip(self.layers, traffic))
            ],
            "totals": self.totals_dict(),
            "outputs": self.outputs_list(layout),
        }

    def outputs_list(self, layout: str = "hwc") -> list:
        """The JSON form's `outputs`: each output's name, layer, shape and the counts of the
        layers it depends on."""
        return [
            {
                "name": o.name,
                "layer": o.node,
                "output_shape": in_layout(o.output_shape, layout),
                "params": o.totals.params,
                "non_trainable_params": o.totals.non_trainable_params,
                "macs": o.totals.macs,
                "flops": o.totals.flops,
            }
            for o in self.outputs
        ]

    def head_dict(self, layout: str = "hwc") -> dict:
        """The JSON form's keys before `layers`: a renderer can stream the layers after it."""
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "layout": layout,
            "input_shape": in_layout(self.input_shape, layout),
            "batch": self.batch,
            "dtype": self.dtype,
            "params_set": dict(self.params_set),
            "convention": self.convention,  # whose count `macs` and `flops` hold: ours, torchinfo or fvcore
        }

    def layer_dict(self, x: LayerReport, layout: str = "hwc", traffic=None, conventions=None) -> dict:
        """One entry of the JSON form's `layers`; traffic: its entry of traffic(), conventions:
        its MACs under torchinfo's and fvcore's conventions, if computed."""
        moved, intensity, seconds, bound = traffic or (None, None, None, None)
        return {
            "name": x.name,
            "kind": x.kind,
            "label": x.label,
            "block": ".".join(x.scope),
            "inputs": list(x.inputs),
            "output_shape": in_layout(x.output_shape, layout),
            "activation_size": x.activation_size,
            "activation_bytes": x.activation_size * DTYPE_BYTES[self.dtype] * self.batch,
            "params": x.params,
            "weights": x.weights,
            "biases": x.biases,
            "non_trainable_params": x.non_trainable_params,
            "macs": x.macs,
            "flops": x.flops,
            "receptive_field": list(x.receptive_field) if x.receptive_field is not None else None,
            # Araujo et al. (Distill 2019): the effective stride and padding of the field, per dimension
            "effective_stride": list(x.field.jump) if x.field is not None else None,
            "effective_padding": [-start for start in x.field.start] if x.field is not None else None,
            "warnings": list(x.warnings),
            "warning_codes": [getattr(w, "code", "") for w in x.warnings],
            **({"bytes_moved": moved, "arithmetic_intensity": round(intensity or 0.0, 6)} if traffic else {}),
            **({"roofline": {"time_s": seconds, "bound": bound}} if seconds is not None else {}),
            **({"conventions": conventions} if conventions else {}),
            "hyperparameters": dict(x.hyperparameters or {}),
            **({"steps": [step._asdict() for step in x.steps]} if x.steps else {}),
        }

    def totals_dict(self) -> dict:
        return {
            "params": self.totals.params,
            "weights": self.totals.weights,
            "biases": self.totals.biases,
            "non_trainable_params": self.totals.non_trainable_params,
            "macs": self.totals.macs,
            "flops": self.totals.flops,
            "activation_size": self.totals.activation_size,
            "activation_bytes": self.activation_bytes,
            **self.memory(),
            **(
                {
                    "roofline": {
                        "peak_flops": self.roofline.peak_flops,
                        "bandwidth": self.roofline.bandwidth,
                        "time_s": self.roofline_summary()[0],
                    }
                }
                if self.roofline
                else {}
            ),
            "conventions": {name: sum(values) for name, values in self.conventions().items()},
        }

    def conventions(self) -> dict:
        """Each layer's MACs as torchinfo and fvcore count them (see cnncalc.conventions); kept
        from before a convention replaced the MACs (peer_counts)."""
        from .conventions import counted

        return self.peer_counts or {name: counted(self, name) for name in ("torchinfo", "fvcore")}


def group_totals(layers) -> dict[str, tuple[Totals, LayerReport, int]]:
    """For every enclosing scope (block, repeat group or branch) by dotted prefix: the
    totals of its layers, its last layer and how many layers it has."""
    members: dict[str, list[LayerReport]] = {}
    for layer in layers:
        for i in range(1, len(layer.scope) + 1):
            members.setdefault(".".join(layer.scope[:i]), []).append(layer)
    return {key: (Totals.of(group), group[-1], len(group)) for key, group in members.items()}


def collapse(report: Report, depth: int | None) -> list[LayerReport]:
    """Rows with every layer deeper than `depth` dotted name parts folded into one row for
    its group (a block, a repeat group or a branch), carrying the group's totals and its
    last layer's output. depth None keeps every layer."""
    if depth is None:
        return list(report.layers)
    rows: list[LayerReport] = []
    groups: dict[str, list[LayerReport]] = {}
    order: list[str] = []
    for layer in report.layers:
        parts = layer.name.split(".")
        key = ".".join(parts[:depth]) if len(parts) > depth else layer.name
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(layer)
    for key in order:
        members = groups[key]
        if len(members) == 1 and members[0].name == key:
            rows.append(members[0])
            continue
        t = Totals.of(members)
        last = members[-1]
        rows.append(
            LayerReport(
                name=key,
                kind="block",
                label=f"block of {len(members)} layer{'s' if len(members) > 1 else ''}",
                output_shape=last.output_shape,
                activation_size=t.activation_size,
                weights=t.weights,
                biases=t.biases,
                non_trainable_params=t.non_trainable_params,
                macs=t.macs,
                warnings=tuple(
                    CodedWarning(getattr(w, "code", ""), f"{m.name}: {w}") for m in members for w in m.warnings
                ),
                inputs=members[0].inputs,
                scope=last.scope[: depth - 1],
                field=last.field,
            )
        )
    return rows


class Listing:
    """Records to list, pure data: `columns` are (key, heading, kind) with kind 'text',
    'value' (text aligned right), 'shape' (a list of sizes, 227x227x3 in text), 'count' (an
    integer, exact in machine formats and human in the table: 1.2M) or 'bytes' (likewise, and
    in binary units in the table: 24.5 MiB); `records` are dicts by key.
    `key` names the records in JSON."""

    def __init__(self, title: str, key: str, columns, records, note: str = "", optional=(), detail=(), wrap=()):
        self.title, self.key, self.columns, self.records = title, key, tuple(columns), list(records)
        self.note = note  # a sentence for people, under the table and the Markdown
        # for the table: the columns that give way when the terminal is narrow, first to go
        # first; and those shown only when asked (-v), a long text that may wrap
        # and the long texts that may wrap in the width left (the details do too)
        self.optional, self.detail, self.wrap = tuple(optional), tuple(detail), tuple(wrap) + tuple(detail)
