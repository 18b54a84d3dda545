"""Why the peers disagree: the counting conventions of torchinfo and fvcore, written as rules
on a report's rows, so that each tool's total is reproduced exactly (checked against torchinfo
1.8 and fvcore 0.1.5 on torchvision's models, eval mode, batch 1).

- ours: the multiplications by conv, dense and locally-connected weights (the papers' count).
- torchinfo ("Total mult-adds"): for a convolution, its weights and biases × the output
  positions (for a transposed convolution too: the output side); for any other layer with
  parameters (dense, over channels too; batch norm), its weights and biases, once; a layer
  scale, 0.
- fvcore (FlopCountAnalysis.total()): convolutions and dense layers as ours (no bias; a
  transposed convolution by its input positions), a batch norm 2 per input element (1 without
  affine; 5 and 4 with batch statistics), a group, layer or instance norm 5 per input element
  (4 without affine), a 2-D adaptive or global average pool 1 per input element (x.mean and
  1-D or 3-D pools: 0), a 2-D nearest upsample 1 per output element and a bilinear one 4;
  nothing else (other upsampling modes, prelu, shuffles: 0); and only for the layers an output
  depends on (its traced graph drops the rest).

Each kind declares its own two counts (kinds.base lists them), next to its other rules;
this module only applies them to a report's rows. Standard library only.
"""

from __future__ import annotations

CONVENTIONS = ("ours", "torchinfo", "fvcore")


def counted(report, convention: str) -> list[int]:
    """Each layer's MACs under a convention, in the report's order."""
    if convention == "ours":
        return [row.macs for row in report.layers]
    from .kinds import KINDS

    shapes = {row.name: row.output_shape for row in report.layers}
    if convention == "fvcore":
        # fvcore counts the ops of a traced graph, and a trace keeps only what the outputs use
        used = _used(report)
        return [
            KINDS[row.kind].fvcore(row, [shapes[i] for i in row.inputs]) if row.name in used else 0
            for row in report.layers
        ]
    rows = {row.name: row for row in report.layers}
    return [
        KINDS[row.kind].torchinfo(row, [shapes[i] for i in row.inputs], rows.get(row.shares)) for row in report.layers
    ]


def _used(report) -> set:
    """The layers some output depends on (see graph.depended_on)."""
    from .graph import depended_on

    return depended_on(report.layers, [o.node for o in report.outputs] or [report.layers[-1].name])
