"""Reshaping and slicing: the same elements in another shape (flatten, reshape), a range of
channels (slice), or the channels reordered (channel_shuffle). No weights; no peer counts them."""

from __future__ import annotations

from math import prod

from ..errors import LayerError
from ..layout import fmt_dims, shape_text
from .base import (
    IDENTITY,
    NoWeights,
    Opt,
    Step,
    counts_nothing,
    elements_product,
    kept_steps,
    no_weights,
    number,
    register,
)


@register
class Flatten(NoWeights):
    name, prefix = "flatten", "flatten"
    aliases = ("Flatten",)
    in_place = False
    fvcore = counts_nothing
    help = "reshape to a flat vector"

    def shape(self, a, xs):
        return (prod(xs[0]),), []

    def window(self, a, xs):
        return None  # positions are gone

    def explain(self, a, xs, y):
        return [Step("output", "", f"{elements_product(xs[0])} = {number(y[0])}", y[0])] + no_weights("a reshape")


@register
class Reshape(NoWeights):
    """A new shape with the same elements; one size may be -1 (inferred)."""

    name, prefix = "reshape", "reshape"
    aliases = ("Reshape", "View")
    in_place = False
    fvcore = counts_nothing
    help = "the same elements in a new shape, written in the file's layout (one size may be -1)"
    options = {"shape": Opt("ints", help="target sizes in the file's layout, one may be -1", low=-1)}
    layout_aware = True  # the target is written in the file's layout: the expander says which

    def shape(self, a, xs):
        target = [a["shape"]] if isinstance(a["shape"], int) else list(a["shape"])
        if len(target) > 4 or 0 in target or target.count(-1) > 1:
            raise LayerError(f"reshape needs 1 to 4 sizes, each at least 1 or one -1, but saw {target}")
        total, known = prod(xs[0]), prod(v for v in target if v != -1)
        if -1 in target:
            if total % known:
                raise LayerError(f"reshape cannot infer -1: {total:,} elements do not divide by {known:,}")
            target[target.index(-1)] = total // known
        elif known != total:
            raise LayerError(
                f"reshape to {target} holds {known:,} elements, but the input {shape_text(xs[0])} has {total:,}"
            )
        if len(target) > 1 and a.get("_channels_last", True):
            target = [target[-1], *target[:-1]]
        return tuple(target), []

    def window(self, a, xs):
        return None  # positions are renumbered: no field in input positions

    def explain(self, a, xs, y):
        return [
            Step("output", "", f"{elements_product(xs[0])} = {elements_product(y)} elements: {shape_text(y)}")
        ] + no_weights("a reshape")

    def label(self, a, rank=2):
        return f"reshape {fmt_dims(a['shape'])}"


@register
class Slice(NoWeights):
    """A range of channels (ShuffleNetV2's channel split: [0:C/2] and [C/2:C])."""

    name, prefix = "slice", "slice"
    aliases = ("Split", "Narrow")
    in_place = False
    fvcore = counts_nothing
    help = "channels start to stop (stop excluded; default: to the end), for a channel split"
    options = {"start": Opt("int", 0, low=0), "stop": Opt("int", None, "default: the input's channels", low=1)}

    def _range(self, a, x):
        stop = x[0] if a["stop"] is None else a["stop"]
        if not a["start"] < stop <= x[0]:
            raise LayerError(
                f"slice needs start < stop ≤ the input's {x[0]} channels, but saw start {a['start']} and stop {stop}"
            )
        return a["start"], stop

    def shape(self, a, xs):
        start, stop = self._range(a, xs[0])
        return (stop - start, *xs[0][1:]), []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        start, stop = self._range(a, xs[0])
        return [
            Step("output", "", f"channels {start} to {stop}: {stop} − {start} = {y[0]}: {shape_text(y)}")
        ] + no_weights("a slice")

    def label(self, a, rank=2):
        return f"slice {a['start']}:{'' if a['stop'] is None else a['stop']}"


@register
class ChannelShuffle(NoWeights):
    """ShuffleNet's channel shuffle: C split into groups, interleaved; positions kept."""

    name, prefix = "channel_shuffle", "shuffle"
    aliases = ("ChannelShuffle",)
    in_place = False
    fvcore = counts_nothing
    help = "interleave the channels of g groups (ShuffleNet); the groups must divide C"
    options = {"groups": Opt("int", low=1)}

    def shape(self, a, xs):
        if xs[0][0] % a["groups"]:
            raise LayerError(
                f"channel_shuffle needs groups dividing the channels, but {a['groups']} does not divide {xs[0][0]}"
            )
        return xs[0], []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        return kept_steps(
            a, xs, y, f"{a['groups']} groups of {xs[0][0] // a['groups']} channels interleaved"
        ) + no_weights("a permutation")
