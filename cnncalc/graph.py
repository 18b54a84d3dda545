"""What depends on what among a report's rows: the layers an output needs, read through their
inputs and through the options that read another layer's size. Standard library only."""

from __future__ import annotations


def depended_on(layers, roots) -> set[str]:
    """The names of the layers that `roots` depend on, themselves included: through their inputs,
    and through the options that read another layer's size (like:), which a real run (and a
    trace) computes too."""
    from .kinds import KINDS

    rows = {row.name: row for row in layers}
    seen, todo = set(roots), list(roots)
    while todo:
        row = rows[todo.pop()]
        named = [row.hyperparameters.get(key) for key in KINDS[row.kind].references] if row.kind in KINDS else []
        for name in [*row.inputs, *(n for n in named if isinstance(n, str) and n in rows)]:
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen
