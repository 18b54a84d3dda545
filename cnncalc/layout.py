"""Layouts: the order of a shape's dimensions, and the one way shapes and sizes are spelled
and read (224x224x3, 224×224×3 or 224,224,3).

Inside cnncalc every shape is channels-first without batch: (C, *spatial), a flat vector
is (N,). Files and displays may be channels-last (HWC) or channels-first (CHW); this module
is the only place that converts between the two. Standard library only."""

from __future__ import annotations

Shape = tuple[int, ...]  # channels-first, batch excluded: (C, *spatial) or (N,)

# Names of the spatial dimensions by rank: 1-D sequences, 2-D images, 3-D clips.
DIM_NAMES = {1: ("T",), 2: ("H", "W"), 3: ("D", "H", "W")}

# The input layouts a file may declare, with their spatial rank: C, TC, CT, HWC, CHW, DHWC, CDHW.
LAYOUTS = {"C": 0}
for _rank, _dims in DIM_NAMES.items():
    LAYOUTS["".join(_dims) + "C"] = _rank
    LAYOUTS["C" + "".join(_dims)] = _rank

# The display layouts: channels last (hwc) or first (chw), for any rank.
DISPLAY_LAYOUTS = ("hwc", "chw")


def layout_of_rank(spatial_rank: int, last: bool = True) -> str:
    """The file layout of a spatial rank with channels last (TC, HWC, DHWC) or first (CT, CHW,
    CDHW); C for a flat vector. HWC for a rank no layout has (the caller's check names it)."""
    dims = "".join(DIM_NAMES.get(spatial_rank, DIM_NAMES[2])) if spatial_rank else ""
    return dims + "C" if last else "C" + dims


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


# --- shapes as people write them -----------------------------------------------------------

# what separates the sizes of a shape written as text: x, × or a comma, with spaces around
SIZE_SEPARATOR = r"\s*[x×,]\s*"
_MAX_SHAPE_TEXT = 200  # characters: a longer text is no shape, and is not split


def split_sizes(text: str) -> list[str]:
    """'224x224x3', '224 × 224 × 3', '224,224,3' -> ['224', '224', '3'] (as written)."""
    import re

    return re.split(SIZE_SEPARATOR, text.strip().lower())


def sizes_of(value, low: int, high: int, digits: int) -> tuple[int, ...] | None:
    """A shape as text (224x224x3), an int, or a list or tuple of them -> the sizes, each a whole
    number from low to high of at most `digits` digits (a float that is exactly one counts);
    None when it is not such a shape. Callers say what they expected."""
    parts: list
    if isinstance(value, int) and not isinstance(value, bool):
        parts = [value]
    elif isinstance(value, (tuple, list)):
        parts = list(value)
    elif isinstance(value, str) and len(value) <= _MAX_SHAPE_TEXT:
        parts = split_sizes(value)
    else:
        return None
    sizes = []
    for part in parts:
        if isinstance(part, str) and part.isdigit() and len(part) <= digits:
            part = int(part)
        elif isinstance(part, float) and part.is_integer() and abs(part) <= 2**53:
            part = int(part)  # 28.0 from YAML; above 2**53 a float is no whole number to trust
        if not (isinstance(part, int) and not isinstance(part, bool) and low <= part <= high):
            return None
        sizes.append(part)
    return tuple(sizes) or None
