"""Why the peers disagree: the counting conventions of torchinfo and fvcore, written as rules
on a report's rows, so that each tool's total is reproduced exactly (checked against torchinfo
1.8 and fvcore 0.1.5 on torchvision's models, eval mode, batch 1). Standard library only.

- ours: the multiplications by conv, dense and locally-connected weights (the papers' count).
- torchinfo ("Total mult-adds"): for a convolution, its weights and biases × the output
  positions (for a transposed convolution too: the output side); for any other layer with
  parameters (dense, batch norm), its weights and biases, once.
- fvcore (FlopCountAnalysis.total()): convolutions and dense layers as ours (no bias; a
  transposed convolution by its input positions), a batch norm 2 per input element (1 without
  affine), a group, layer or instance norm 5 per input element (4 without affine), an adaptive
  or global average pool 1 per input element, a 2-D nearest upsample 1 per output element and
  a bilinear one 4; nothing else (other upsampling modes, prelu, shuffles: 0).
"""

from __future__ import annotations

from math import prod

CONVENTIONS = ("ours", "torchinfo", "fvcore")
_CONVS = ("conv", "depthwise_conv", "separable_conv", "conv_transpose", "locally_connected")


def torchinfo(row, input_sizes, source=None) -> int:
    """source: the row whose weights this one reuses (torchinfo counts every call of a module)."""
    params = (source or row).weights + (source or row).biases
    if row.kind in _CONVS:
        return params * prod(row.output_shape[1:])
    return params


def fvcore(row, input_sizes) -> int:
    if row.kind in _CONVS or row.kind == "dense":
        return row.macs
    if row.kind == "batch_norm":
        return (2 if row.weights else 1) * sum(input_sizes)
    if row.kind in ("group_norm", "layer_norm", "instance_norm"):
        return (5 if row.weights else 4) * sum(input_sizes)
    if row.kind in ("adaptive_avg_pool", "global_avg_pool"):
        return sum(input_sizes)
    if row.kind == "upsample" and len(row.output_shape) == 3:  # fvcore handles only the 2-D ops
        return {"nearest": 1, "bilinear": 4}.get(row.hyperparameters.get("mode"), 0) * row.activation_size
    return 0


def counted(report, convention: str) -> list[int]:
    """Each layer's MACs under a convention, in the report's order."""
    if convention == "ours":
        return [row.macs for row in report.layers]
    sizes = {row.name: row.activation_size for row in report.layers}
    if convention == "fvcore":
        return [fvcore(row, [sizes[i] for i in row.inputs]) for row in report.layers]
    rows = {row.name: row for row in report.layers}
    return [torchinfo(row, [sizes[i] for i in row.inputs], rows.get(row.shares)) for row in report.layers]


def apply(report, convention: str):
    """The report with each layer's MACs counted under `convention` (FLOPs stay 2 × MACs)."""
    from .errors import CnnCalcError
    from .report import Totals

    if convention not in CONVENTIONS:
        raise CnnCalcError(f"convention must be one of {', '.join(CONVENTIONS)}, but saw {convention!r}")
    if convention == "ours":
        return report
    from .engine import output_totals

    peers = {"ours": [row.macs for row in report.layers], **report.conventions()}  # ours kept beside them
    layers = tuple(row._replace(macs=macs) for row, macs in zip(report.layers, peers[convention]))
    totals = Totals.of(layers)
    outputs = output_totals(layers, [(o.name, o.node) for o in report.outputs], totals)
    return report._replace(layers=layers, totals=totals, peer_counts=peers, outputs=outputs, convention=convention)
