"""Resampling: kinds that change the spatial size without weights: zero padding, cropping,
upsampling and the pixel shuffles (depth to space and back)."""

from __future__ import annotations

from ..errors import LayerError, shown
from ..layout import DIM_NAMES, fmt_dims, shape_text
from ..limits import MAX_SIZE
from .base import NoWeights, Opt, Step, Window, counts_nothing, no_weights, pad_label, register, spatial_of
from .sliding import explicit_padding, grouped, per_dim


@register
class ZeroPad(NoWeights):
    name, prefix = "zero_pad", "pad"
    aliases = ("ZeroPadding2D", "ZeroPad2d")
    in_place = False
    fvcore = counts_nothing
    help = "pad the spatial dimensions with zeros"
    options = {"padding": Opt("padding")}

    def _pads(self, a, x):
        sp = spatial_of(x, self.name)
        if a["padding"] == "same":
            raise LayerError("zero_pad needs explicit padding, not 'same'")
        return sp, explicit_padding(a["padding"], len(sp))

    def shape(self, a, xs):
        sp, pads = self._pads(a, xs[0])
        return (xs[0][0], *(n + p[0] + p[1] for n, p in zip(sp, pads))), []

    def window(self, a, xs):
        # a 1-wide window that starts pad_before positions early: the field shifts, not grows
        return [Window(1, 1, p[0]) for p in self._pads(a, xs[0])[1]]

    def explain(self, a, xs, y):
        sp, pads = self._pads(a, xs[0])
        texts = [f"{n} + {p[0]} + {p[1]} = {o}" for n, p, o in zip(sp, pads, y[1:])]
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + no_weights("padding")

    def label(self, a, rank=2):
        return "zero_pad" + pad_label(a["padding"])


@register
class Upsample(NoWeights):
    """Resize by a scale factor or to a size (PyTorch nn.Upsample): out = ⌊n · scale⌋."""

    name, prefix = "upsample", "up"
    aliases = ("UpSampling2D", "Interpolate")
    in_place = False

    def fvcore(self, row, inputs):
        if len(row.output_shape) != 3:  # fvcore handles only the 2-D ops
            return 0
        return {"nearest": 1, "bilinear": 4}.get(row.hyperparameters.get("mode"), 0) * row.activation_size

    help = "resize by scale (out = floor(n·scale)) or to size; nearest, linear, bilinear, bicubic, trilinear"
    options = {
        "scale": Opt("float", None, "scale factor for every spatial dimension", low=0),
        "size": Opt("ints", None, "output size: an int or one per spatial dimension", low=1),
        "like": Opt("name", None, "resize to the spatial size of this earlier layer"),
        "mode": Opt("choice", "nearest", choices=("nearest", "linear", "bilinear", "bicubic", "trilinear")),
    }

    # PyTorch's F.interpolate takes each interpolating mode at one rank only; nearest at any
    MODE_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}

    def _out(self, a, x):
        sp = spatial_of(x, self.name)
        rank = self.MODE_RANK.get(a["mode"])
        if rank is not None and rank != len(sp):
            fits = [mode for mode, r in self.MODE_RANK.items() if r == len(sp)] + ["nearest"]
            raise LayerError(
                f"upsample mode {a['mode']} works on {rank}-D inputs only, as PyTorch's interpolate, but the input "
                f"has {len(sp)} spatial dimension{'s' if len(sp) != 1 else ''}; at {len(sp)}-D use {' or '.join(fits)}"
            )
        if sum(a[key] is not None for key in ("scale", "size", "like")) != 1:
            raise LayerError("upsample needs exactly one of scale, size and like")
        if a["like"] is not None:
            return list(like_size(a, sp, self.name))
        if a["size"] is not None:
            return list(per_dim(a["size"], len(sp), "size"))
        out = [n * a["scale"] for n in sp]  # PyTorch: floor(input_size · scale_factor)
        if not all(1 <= o < MAX_SIZE + 1 for o in out):  # before int(): a scale of 1e308 gives inf
            sizes = ", ".join(f"{o:.4g}" if o >= MAX_SIZE + 1 else f"{int(o)}" for o in out)
            raise LayerError(f"upsample by {a['scale']:g} gives [{sizes}]; every size must be from 1 to {MAX_SIZE:,}")
        return [int(o) for o in out]

    def shape(self, a, xs):
        return (xs[0][0], *self._out(a, xs[0])), []

    def window(self, a, xs):
        return None  # interpolation: no fixed window in input positions

    def explain(self, a, xs, y):
        sp = spatial_of(xs[0], self.name)
        texts = (
            [f"⌊{n} · {a['scale']}⌋ = {o}" for n, o in zip(sp, y[1:])]
            if a["scale"] is not None
            else [f"{n} → {o}" + (f" (the size of {a['like']})" if a["like"] else "") for n, o in zip(sp, y[1:])]
        )
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + no_weights(
            f"{a['mode']} interpolation has no weights"
        )

    def label(self, a, rank=2):
        by = (
            f"×{a['scale']:g}"
            if a["scale"] is not None
            else f"→{fmt_dims(a['size'])}"
            if a["size"] is not None
            else f"like {a['like']}"
        )
        return f"upsample {by} {a['mode']}"


def like_size(a, sp, kind: str) -> tuple:
    """The spatial size of the layer that `like` names (the engine gives its shape as _like)."""
    if "_like" not in a:
        raise LayerError(f"like names another layer of a network; for {kind} alone give the size instead")
    target = a["_like"][1:]
    if len(target) != len(sp):
        raise LayerError(
            f"like {shown(a['like'])} has {len(target)} spatial dimensions ({shape_text(a['_like'])}), "
            f"but the input has {len(sp)}"
        )
    return target


def _factor(a, x, kind: str) -> int:
    if len(x) != 3:
        raise LayerError(
            f"{kind} works on 2-D inputs (C, H, W), as PyTorch's, but the input has {len(x) - 1} spatial dimensions"
        )
    return a["factor"]


class PixelShuffle(NoWeights):
    """Depth to space (PyTorch PixelShuffle): (C·r², H, W) -> (C, H·r, W·r); and back, space to
    depth (PixelUnshuffle, YOLOv2's reorg): (C, H, W) -> (C·r², H/r, W/r). One class, two kinds."""

    in_place = False
    fvcore = counts_nothing

    def __init__(self, name: str = "", up: bool = True, help: str = "", aliases: tuple = ()):
        self.name, self.prefix, self.up, self.help = name, "shuffle" if up else "unshuffle", up, help
        self.aliases = aliases
        self.options = {"factor": Opt("int", help=f"the {'up' if up else 'down'}scale factor r", low=1)}

    def shape(self, a, xs):
        r = _factor(a, xs[0], self.name)
        c, h, w = xs[0]
        if self.up and c % (r * r):
            raise LayerError(f"pixel_shuffle by {r} needs channels divisible by r² = {r * r}, but the input has {c}")
        if not self.up and (h % r or w % r):
            raise LayerError(f"pixel_unshuffle by {r} needs H and W divisible by {r}, but the input is {h}×{w}")
        return ((c // (r * r), h * r, w * r) if self.up else (c * r * r, h // r, w // r)), []

    def window(self, a, xs):
        # space to depth gathers an r×r block; depth to space reads 1/r of a position: no window
        return None if self.up else [Window(a["factor"], a["factor"], 0)] * 2

    def explain(self, a, xs, y):
        r, (c, h, w) = a["factor"], xs[0]
        text = (
            f"{c}/{r}² = {y[0]} channels, {h}·{r} = {y[1]}, {w}·{r} = {y[2]}"
            if self.up
            else f"{c}·{r}² = {y[0]} channels, {h}/{r} = {y[1]}, {w}/{r} = {y[2]}"
        )
        return [Step("output", "", text)] + no_weights("a rearrangement")

    def label(self, a, rank=2):
        return f"{self.name} {'×' if self.up else '÷'}{a['factor']}"


register(
    PixelShuffle(
        "pixel_shuffle",
        True,
        "depth to space: C·r² × H × W → C × H·r × W·r (PyTorch PixelShuffle)",
        ("PixelShuffle", "DepthToSpace"),
    )
)
register(
    PixelShuffle(
        "pixel_unshuffle",
        False,
        "space to depth: C × H × W → C·r² × H/r × W/r (PyTorch PixelUnshuffle, YOLOv2's reorg)",
        ("PixelUnshuffle", "SpaceToDepth", "reorg"),
    )
)


@register
class Crop(NoWeights):
    """Keras Cropping: drop rows and columns on each side."""

    name, prefix = "crop", "crop"
    aliases = ("Cropping2D",)
    in_place = False
    fvcore = counts_nothing
    help = (
        "drop positions at each side (Keras Cropping2D): an int, one per dimension or [before, after] "
        "pairs; or centred to the size of an earlier layer (like, as U-Net)"
    )
    options = {
        "cropping": Opt("padding", None, "int, per-dimension list or [before, after] pairs"),
        "like": Opt("name", None, "crop centred to the spatial size of this earlier layer"),
    }

    def _cuts(self, a, x):
        sp = spatial_of(x, self.name)
        if (a["cropping"] is None) == (a["like"] is None):
            raise LayerError("crop needs exactly one of cropping and like")
        if a["like"] is not None:  # centred; an odd difference leaves the extra position at the end
            cut = [n - m for n, m in zip(sp, like_size(a, sp, self.name))]
            if any(c < 0 for c in cut):
                raise LayerError(
                    f"crop to the size of {shown(a['like'])} ({shape_text(a['_like'])}) needs an input at "
                    f"least as large, but the input is {shape_text(x)}"
                )
            return sp, [[c // 2, c - c // 2] for c in cut]
        if a["cropping"] in ("same", "valid"):
            raise LayerError("crop needs numbers, not 'same' or 'valid'")
        return sp, explicit_padding(a["cropping"], len(sp))

    def shape(self, a, xs):
        sp, cuts = self._cuts(a, xs[0])
        out = [n - c[0] - c[1] for n, c in zip(sp, cuts)]
        if any(o < 1 for o in out):
            raise LayerError(f"crop leaves {out}: it must leave at least 1 position per dimension")
        return (xs[0][0], *out), []

    def window(self, a, xs):
        # a 1-wide window that starts `before` positions late: the field shifts
        return [Window(1, 1, -c[0]) for c in self._cuts(a, xs[0])[1]]

    def explain(self, a, xs, y):
        sp, cuts = self._cuts(a, xs[0])
        texts = [f"{n} − {c[0]} − {c[1]} = {o}" for n, c, o in zip(sp, cuts, y[1:])]
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + no_weights(
            "cropping"
        )

    def label(self, a, rank=2):
        return f"crop like {a['like']}" if a["like"] is not None else "crop " + pad_label(a["cropping"])[2:]
