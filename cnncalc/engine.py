"""The engine: apply one rule per node, in graph order. Standard library only."""

from __future__ import annotations

from collections import namedtuple
from math import prod

from .errors import CnnCalcError, CodedWarning, LayerError, shown
from .expand import Network
from .graph import depended_on
from .kinds import IDENTITY, KINDS
from .layout import shape_text
from .limits import MAX_BATCH, MAX_OUTPUT_SIZE
from .memory import OPTIMIZER_COPIES
from .report import LayerReport, OutputTotals, Report, Totals
from .units import DTYPE_BYTES


class Field(namedtuple("Field", "size jump start")):
    """The receptive field of a layer's outputs, per spatial dimension, in input positions:
    size, jump (the distance between neighbouring outputs' fields: the effective stride) and
    start (where output 0's field begins; negative inside the padding; Araujo et al.'s
    effective padding is −start)."""

    __slots__ = ()

    @classmethod
    def of_input(cls, rank: int) -> Field:
        return cls((1,) * rank, (1,) * rank, (0,) * rank)

    def through(self, window) -> Field | None:
        """rf_out = rf_in + (k_eff − 1)·jump_in, jump_out = jump_in·stride,
        start_out = start_in − pad_before·jump_in (Araujo et al., Distill 2019)."""
        if len(window) != len(self.size):
            return None
        size, jump, start = [], [], []
        for r, j, s, w in zip(self.size, self.jump, self.start, window):
            size.append(r + (w.kernel - 1) * j)
            jump.append(j * w.stride)
            start.append(s - w.pad_before * j)
        return Field(tuple(size), tuple(jump), tuple(start))


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


def _beyond_limit(field: Field) -> bool:
    """A field whose size, jump or start passes MAX_OUTPUT_SIZE (strides multiplied over
    hundreds of layers): its numbers would have thousands of digits, and it is left undefined."""
    return any(abs(v) > MAX_OUTPUT_SIZE for part in field for v in part)


def _with_references(kind, attrs: dict, shapes: dict) -> dict:
    """Options that name another layer (upsample's and crop's like) get that layer's output
    shape as `_<option>`, for the kind's rules."""
    named = {f"_{key}": shapes[attrs[key]] for key in kind.references if attrs.get(key) is not None}
    return {**attrs, **named} if named else attrs


def _weight_signature(row: LayerReport, xs) -> tuple:
    """What fixes a layer's weight tensors: its kind, channels in and out, kernel and counts."""
    return (
        row.kind,
        xs[0][0] if xs else None,
        row.output_shape[0],
        tuple(row.hyperparameters.get("kernel") or ()),
        row.weights,
        row.biases,
        row.non_trainable_params,
    )


def _shared(row: LayerReport, source: LayerReport, xs, source_xs) -> LayerReport:
    """`share: NAME`: the row reuses source's weights, so its params are 0 (counted once, at
    the source) and its MACs stay (counted at every call). The weights must be the same."""
    if not source.weights + source.biases + source.non_trainable_params:
        raise CnnCalcError(
            f"layer {shown(row.name)} shares the weights of {shown(source.name)} ({source.label}), which has none"
        )
    if _weight_signature(row, xs) != _weight_signature(source, source_xs):

        def described(r, x):
            return (
                f"{r.label} on {x[0][0] if x else '?'} input channels: "
                f"{r.weights + r.biases + r.non_trainable_params:,} params"
            )

        raise CnnCalcError(
            f"layer {shown(row.name)} shares the weights of {shown(source.name)}, so both need the "
            f"same weights, but {shown(source.name)} is {described(source, source_xs)} and "
            f"{shown(row.name)} would be {described(row, xs)}"
        )
    note = CodedWarning("shared-weights", f"reuses the weights of {shown(source.name)}: its params are counted there")
    return row._replace(weights=0, biases=0, non_trainable_params=0, warnings=(*row.warnings, note), shares=source.name)


_NOT_IN_KEY = frozenset(("_expect", "_branches", "_share"))  # names and answers: they change no rule's result


def _written(attrs: dict) -> str:
    """The options as the rules' memo tells them apart: by their repr, which tells apart what ==
    does not (rate 0 and 0.0, true and 1), as every value here is a number, text, a boolean,
    None or a tuple or list of them; without the names and answers, which change no result."""
    return repr(attrs if _NOT_IN_KEY.isdisjoint(attrs) else {k: v for k, v in attrs.items() if k not in _NOT_IN_KEY})


def _rules(kind, kind_name: str, attrs: dict, xs, memo, written: str | None = None):
    """The results of a layer's rules that do not depend on its name or on what came before:
    (output shape, warnings, Params, MACs, hyperparameters, window, label). Identical layers
    on identical inputs give identical results, so a run keeps them in `memo` (a ResNet's
    repeated blocks, a chain of equal convolutions); written: _written(attrs), if known."""
    key = None
    if memo is not None:
        key = (kind_name, tuple(xs), written if written is not None else _written(attrs))
        found = memo.get(key)
        if found is not None:
            return found
    y, warnings = kind.shape(attrs, xs)
    for i, size in enumerate(y):  # sizes that grow without bound (a depth multiplier repeated) stop here
        if size > MAX_OUTPUT_SIZE:
            raise LayerError(
                f"the output's {'channels' if i == 0 else f'size {i}'} would be {size:,}, past "
                f"the limit of 10^15 on any size of a layer's output"
            )
    p = kind.params(attrs, xs, y)
    found = (
        y,
        tuple(warnings),
        p,
        kind.macs(attrs, xs, y),
        kind.hyperparameters(attrs, xs),
        kind.window(attrs, xs),
        kind.label(attrs, len(xs[0]) - 1 if xs else 2),
    )
    if key is not None:
        memo[key] = found
    return found


def layer_row(
    kind_name: str,
    attrs: dict,
    xs,
    fields=None,
    explain: bool = False,
    name: str = "",
    loc=None,
    memo: dict | None = None,
    inputs=(),
    scope=(),
    written: str | None = None,
) -> LayerReport:
    """One layer's row: its rules applied to its input shapes (channels-first) and, for the
    receptive field, its inputs' fields. The engine calls it for every node; `cnncalc layer`
    for a layer alone, so the two cannot disagree. memo: a dict kept through one run, to
    reuse the rules' results for a layer seen before on the same inputs; written: the memo's
    text of attrs (_written), if known."""
    kind = KINDS[kind_name]
    fields = fields if fields is not None else [Field.of_input(len(x) - 1) if len(x) > 1 else None for x in xs]
    try:
        y, warnings, p, macs, hyper, window, label = _rules(
            kind, kind_name, attrs, xs, None if explain else memo, written
        )
        steps = tuple(kind.explain(attrs, xs, y)) if explain else ()
        field = _receptive(window, fields)
        if field is not None and window != IDENTITY and _beyond_limit(field):
            field = None
            warnings = (
                *warnings,
                CodedWarning(
                    "field-limit",
                    "the receptive field is left undefined here: its size, effective stride or "
                    "start would pass 10^15 input positions",
                ),
            )
        elif kind.merge and field is None and all(f is not None for f in fields):
            jumps = " and ".join(sorted({"×".join(map(str, f.jump)) for f in fields}))
            warnings = (
                *warnings,
                CodedWarning(
                    "unaligned-field",
                    f"the receptive field is undefined here: the branches' fields are not aligned "
                    f"(effective strides {jumps})",
                ),
            )
    except LayerError as e:
        given = ", ".join(shape_text(x) for x in xs[:8]) + (f" and {len(xs) - 8:,} more" if len(xs) > 8 else "")
        raise CnnCalcError(
            f"layer {shown(name or kind_name)} ({kind_name}) on input {given}: {e.message}", loc
        ) from None
    return LayerReport(
        name=name or kind_name,
        kind=kind_name,
        label=label,
        output_shape=y,
        activation_size=prod(y),
        weights=p.weights,
        biases=p.biases,
        non_trainable_params=p.non_trainable,
        macs=macs,
        warnings=warnings,
        field=field,
        steps=steps,
        hyperparameters=hyper,
        inputs=inputs,
        scope=scope,
    )


def _mark_dead_ends(layers: dict, outputs: set) -> tuple:
    """The rows, with a warning on each layer whose output nobody reads and that is not an
    output: a dangling branch is usually a wrong `from`."""
    read = {name for row in layers.values() for name in row.inputs}
    dead = CodedWarning("dead-end", "no layer reads this output and it is not a declared output (outputs:)")
    return tuple(
        row._replace(warnings=(*row.warnings, dead))
        if name not in read and name not in outputs and row.kind != "input"
        else row
        for name, row in layers.items()
    )


def output_totals(layers, outputs, totals: Totals) -> tuple:
    """Per declared output: its name, node, shape and the totals of the layers it depends on
    (its ancestors through the inputs, and through the options that read another layer's size,
    like:, since any real run computes that layer; itself included), the shared trunk counted in
    each; the params of a layer whose weights an ancestor reuses (`share:`) count too, once.
    totals: those of all the layers, an output's when it depends on every layer."""
    rows = {row.name: row for row in layers}
    found = []
    for written, node in outputs:
        seen = depended_on(layers, [node])
        if len(seen) == len(rows):  # every layer (the usual single output): the network's totals
            found.append(OutputTotals(written, node, rows[node].output_shape, totals))
            continue
        own = [row for row in layers if row.name in seen]
        lent = [rows[name] for name in {row.shares for row in own if row.shares} - seen]
        t, extra = Totals.of(own), Totals.of(lent)
        found.append(
            OutputTotals(
                written,
                node,
                rows[node].output_shape,
                t._replace(
                    weights=t.weights + extra.weights,
                    biases=t.biases + extra.biases,
                    non_trainable_params=t.non_trainable_params + extra.non_trainable_params,
                ),
            )
        )
    return tuple(found)


def run(
    net: Network,
    input_shape=None,
    batch: int = 1,
    dtype: str = "float32",
    explain: bool = False,
    param_dtype: str | None = None,
    optimizer: str = "sgd",
    roofline=None,
) -> Report:
    """Evaluate every node of the network on input_shape (channels-first; default: the file's).
    explain: also write out each layer's arithmetic (LayerReport.steps)."""
    for what, value in (("dtype", dtype), ("param_dtype", param_dtype or dtype)):
        if not isinstance(value, str) or value not in DTYPE_BYTES:
            raise CnnCalcError(f"{what} must be one of {', '.join(DTYPE_BYTES)}, but saw {shown(value)}")
    if optimizer not in OPTIMIZER_COPIES:
        raise CnnCalcError(f"optimizer must be one of {', '.join(OPTIMIZER_COPIES)}, but saw {shown(optimizer)}")
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= MAX_BATCH:
        raise CnnCalcError(f"batch must be a whole number from 1 to {MAX_BATCH:,}, but saw {shown(batch)}")
    x0 = tuple(input_shape) if input_shape is not None else net.input_shape
    if len(x0) != len(net.input_shape):
        raise CnnCalcError(
            f"the input must have {len(net.input_shape)} dimensions like the file's {net.layout}, but saw {len(x0)}"
        )
    shapes: dict[str, tuple] = {}
    layers: dict[str, LayerReport] = {}
    memo: dict = {}
    # each node's options as the memo tells them apart, worked out once per dict of options:
    # layers written alike share one (by id: the network holds them all through the run)
    written: dict[int, str] = {}
    for node in net.nodes:
        if node.kind == "input":
            row = LayerReport(
                name=node.name,
                kind="input",
                label="input",
                output_shape=x0,
                activation_size=prod(x0),
                weights=0,
                biases=0,
                non_trainable_params=0,
                macs=0,
                inputs=(),
                scope=node.scope,
                field=Field.of_input(len(x0) - 1) if len(x0) > 1 else None,
                steps=tuple(KINDS["input"].explain({}, [], x0)) if explain else (),
            )
        else:
            xs = [shapes[i] for i in node.inputs]
            kind, attrs = KINDS[node.kind], node.attrs
            text = None
            if kind.references:  # the options gain the shapes of the layers they name
                attrs = _with_references(kind, attrs, shapes)
            else:
                text = written.get(id(attrs))
                if text is None:
                    text = written[id(attrs)] = _written(attrs)
            row = layer_row(
                node.kind,
                attrs,
                xs,
                [layers[i].field for i in node.inputs],
                explain,
                node.name,
                node.loc,
                memo,
                node.inputs,
                node.scope,
                text,
            )
            if "_share" in node.attrs:
                source = layers[node.attrs["_share"]]
                source = layers[source.shares] if source.shares else source  # a layer that shares: its source
                try:
                    row = _shared(row, source, xs, [shapes[i] for i in source.inputs])
                except CnnCalcError as e:
                    raise CnnCalcError(e.message, node.loc) from None
        shapes[node.name] = row.output_shape
        layers[node.name] = row
    outputs = net.outputs or ((net.nodes[-1].name, net.nodes[-1].name),)
    rows = _mark_dead_ends(layers, {node for _, node in outputs})
    totals = Totals.of(rows)
    return Report(
        name=net.name,
        layout=net.layout,
        input_shape=x0,
        layers=rows,
        totals=totals,
        batch=batch,
        dtype=dtype,
        outputs=output_totals(rows, outputs, totals),
        params_set=tuple(net.params.items()),
        description=net.description,
        source=net.source,
        param_dtype=param_dtype,
        optimizer=optimizer,
        roofline=roofline,
    )
