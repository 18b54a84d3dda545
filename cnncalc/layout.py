"""Layouts: the order of a shape's dimensions, and the one way shapes and sizes are spelled.

Inside cnncalc every shape is channels-first without batch: (C, *spatial), a flat vector
is (N,). Files and displays may be channels-last (HWC) or channels-first (CHW); this module
is the only place that converts between the two. Standard library only."""

from __future__ import annotations

from typing import Tuple

Shape = Tuple[int, ...]  # channels-first, batch excluded: (C, *spatial) or (N,)

# Names of the spatial dimensions by rank: 1-D sequences, 2-D images, 3-D clips.
DIM_NAMES = {1: ("T",), 2: ("H", "W"), 3: ("D", "H", "W")}

# The input layouts a file may declare, with their spatial rank: C, TC, CT, HWC, CHW, DHWC, CDHW.
LAYOUTS = {"C": 0}
for _rank, _dims in DIM_NAMES.items():
    LAYOUTS["".join(_dims) + "C"] = _rank
    LAYOUTS["C" + "".join(_dims)] = _rank

# The display layouts: channels last (hwc) or first (chw), for any rank.
DISPLAY_LAYOUTS = ("hwc", "chw")


def channels_last(layout: str) -> bool:
    """HWC, TC, DHWC (and the display layout 'hwc') put channels last."""
    return layout.upper() != "C" and layout.upper().endswith("C")


def to_channels_first(shape, layout: str) -> Shape:
    """A shape written in `layout` (HWC, CHW, TC, … or the display 'hwc'/'chw') -> (C, *spatial)."""
    shape = tuple(shape)
    return (shape[-1], *shape[:-1]) if channels_last(layout) and len(shape) > 1 else shape


def in_layout(shape, layout: str) -> list[int]:
    """Channels-first (C, *spatial) -> the display layout: 'hwc' puts channels last."""
    shape = list(shape)
    if channels_last(layout) and len(shape) > 1:
        return shape[1:] + shape[:1]
    return shape


def fmt_dims(values, sep: str = "×") -> str:
    """(3, 3) -> '3×3'; a single number stays itself."""
    if isinstance(values, int):
        return str(values)
    return sep.join(str(v) for v in values)


def shape_text(shape, layout: str = "hwc", sep: str = "×") -> str:
    """A channels-first shape spelled in a display layout: (64, 224, 224) -> '224×224×64'."""
    return fmt_dims(in_layout(shape, layout), sep)


def display_layout(file_layout: str) -> str:
    """The display layout that keeps a file's own order: hwc for HWC, TC, DHWC; chw for CHW, CT, CDHW."""
    return "hwc" if channels_last(file_layout) or file_layout.upper() == "C" else "chw"


def layout_name(file_layout: str, display: str) -> str:
    """The name of the order shapes are shown in: the file's own (TC, DHWC, CHW…), or its mirror
    when the display puts the channels at the other end."""
    if channels_last(display) == channels_last(file_layout) or file_layout.upper() == "C":
        return file_layout.upper()
    spatial = file_layout.upper().replace("C", "")
    return spatial + "C" if channels_last(display) else "C" + spatial
