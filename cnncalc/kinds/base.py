"""The kind registry and what every kind shares.

Each layer kind is one class (or one instance) holding every fact about it side by side:
  shape(a, xs)        -> output shape and warnings
  params(a, xs, y)    -> Params(weights, biases, non_trainable)
  macs(a, xs, y)      -> multiply-accumulates of conv / dense / locally-connected weights
  window(a, xs)       -> per spatial dimension a Window(kernel, stride, pad_before) for the
                         receptive field; IDENTITY when the layer keeps positions; None when
                         the receptive field is not defined through it
  explain(a, xs, y)   -> the worked arithmetic, as Steps
  torchinfo(row, inputs, source) and fvcore(row, inputs)
                      -> what those tools count for a row of the report (cnncalc.conventions)
  in_place            -> whether it may overwrite its input (the in-place inference peak)
  aliases             -> what PyTorch, Keras and others call it, for "did you mean"
  options, help, prefix, label(a, rank) -> its YAML options, its line in `cnncalc kinds`, the
                         prefix of its default names, its label in the table
Shapes are channels-first tuples without batch: (C, *spatial); a flat vector is (N,).
`a` is the layer's validated attributes, `xs` its input shapes, `y` its output shape.

Nothing is defaulted into a number: the base class declares no rule and no fact, and
register() refuses a kind that leaves one undeclared. Being free is declared: `NoWeights` for
kinds without weights, `Elementwise` for kinds that keep every position, `counts_nothing` for
a peer that counts nothing. Standard library only.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from math import prod

from ..errors import LayerError
from ..layout import Shape, fmt_dims, shape_text

REQUIRED = object()

# namedtuples rather than dataclasses: cheap to import, and start-up time matters
Opt = namedtuple("Opt", "type default help low high choices", defaults=(REQUIRED, "", None, None, ()))
Opt.__doc__ = (
    "One YAML option of a kind. type: int, ints, padding, bool, float, choice (one of "
    "`choices`) or name (another layer's name); low/high: inclusive bounds of a number "
    "(each value of a list)."
)

IDENTITY = "identity"

# namedtuples rather than dataclasses: cheap to import, and start-up time matters
Params = namedtuple("Params", "weights biases non_trainable", defaults=(0, 0, 0))
Window = namedtuple("Window", "kernel stride pad_before")
Step = namedtuple("Step", "quantity dims formula value", defaults=("", None))
Step.__doc__ = (
    "One line of worked arithmetic: the quantity (output, padding, params, MACs, cost), the "
    "dimensions it applies to, the formula with the layer's numbers, and its value."
)
Window.__doc__ = "One spatial dimension of a layer's window: effective kernel, stride, padding before."

NO_PARAMS = Params()
KINDS: dict[str, Kind] = {}

# What every kind must declare: its rules (methods) and its facts (attributes).
RULES = ("shape", "params", "macs", "window", "explain", "torchinfo", "fvcore")
FACTS = ("in_place", "aliases")
# an alias as people write it, folded (conv2d, Conv2D, nn.Conv2d) -> the kind's name
ALIASES: dict[str, str] = {}


def fold(word) -> str:
    """An alias as cnncalc compares it: lower case, without a module prefix or underscores."""
    return str(word).lower().split(".")[-1].replace("_", "")


def declares(kind: Kind, rule: str) -> bool:
    """Whether a kind's class (or a base below Kind) defines the rule, rather than inheriting
    the base class's undefined one."""
    return getattr(type(kind), rule) is not getattr(Kind, rule)


def undeclared(kind: Kind) -> list[str]:
    """The rules and facts a kind leaves undeclared (none for a registered kind)."""
    return [rule for rule in RULES if not declares(kind, rule)] + [
        fact for fact in FACTS if getattr(kind, fact) is None
    ]


def register(kind):
    """The one way into the registry: a Kind instance, or a Kind class (as a decorator, which
    registers one instance of it). A kind that leaves a rule or fact undeclared, or whose name
    or an alias is taken, is refused here, when cnncalc is imported."""
    if isinstance(kind, type):
        register(kind())
        return kind
    missing = undeclared(kind)
    if missing:
        raise TypeError(f"kind {kind.name!r} does not declare {', '.join(missing)}")
    if kind.name in KINDS:
        raise TypeError(f"kind {kind.name!r} is registered twice")
    for alias in kind.aliases:
        taken = ALIASES.get(fold(alias))
        if taken is not None and taken != kind.name:
            raise TypeError(f"kind {kind.name!r}: the alias {alias!r} is {taken!r}'s already")
    ALIASES.update((fold(alias), kind.name) for alias in kind.aliases)
    # the options that name another layer (upsample's like): looked up by name, per layer
    kind.references = tuple(key for key, opt in kind.options.items() if opt.type == "name")
    KINDS[kind.name] = kind
    return kind


def spatial_of(x: Shape, kind: str, rank_min: int = 1) -> Shape:
    if len(x) - 1 < rank_min:
        raise LayerError(
            f"{kind} needs a tensor with channels and {rank_min}+ spatial dimensions, "
            f"but the input is flat {list(x)}; it cannot follow flatten or dense"
        )
    if len(x) - 1 > 3:
        raise LayerError(f"{kind} supports 1-D, 2-D and 3-D inputs, but the input has {len(x) - 1} spatial dimensions")
    return x[1:]


class Kind:
    """A layer kind. The base declares no rule: shape, params and MACs raise, and the
    receptive field is undefined (None)."""

    name = ""
    prefix = ""
    options: dict[str, Opt] = {}
    merge = False  # takes several inputs (branches)
    layout_aware = False  # an option is written in the file's layout (attrs get _channels_last)
    references: tuple = ()  # the options that name another layer (set by register)
    help = ""  # one line for `cnncalc kinds` and the README
    in_place: bool | None = None  # may overwrite its input (an activation): declared by every kind
    aliases: tuple | None = None  # the names other frameworks give it: declared by every kind

    def shape(self, a, xs: Sequence[Shape]) -> tuple[Shape, list[str]]:
        raise NotImplementedError(f"kind {self.name} has no shape rule")

    def params(self, a, xs: Sequence[Shape], y: Shape) -> Params:
        raise NotImplementedError(f"kind {self.name} has no params rule")

    def macs(self, a, xs: Sequence[Shape], y: Shape) -> int:
        raise NotImplementedError(f"kind {self.name} has no MACs rule")

    def window(self, a, xs: Sequence[Shape]) -> list | None:
        return None

    def explain(self, a, xs: Sequence[Shape], y: Shape) -> list[Step]:
        raise NotImplementedError(f"kind {self.name} has no worked arithmetic")

    def torchinfo(self, row, inputs: Sequence[Shape], source=None) -> int:
        """torchinfo's "Total mult-adds" for this row; source: the row whose weights it reuses."""
        raise NotImplementedError(f"kind {self.name} has no torchinfo count")

    def fvcore(self, row, inputs: Sequence[Shape]) -> int:
        """fvcore's FlopCountAnalysis count for this row (eval mode)."""
        raise NotImplementedError(f"kind {self.name} has no fvcore count")

    def hyperparameters(self, a, xs: Sequence[Shape]) -> dict:
        """The layer's options as data, resolved for its input where a rule resolves them
        (per-dimension kernel, stride, dilation and [before, after] padding)."""
        return {k: v for k, v in a.items() if not k.startswith("_")}

    def label(self, a, rank: int = 2) -> str:
        return self.name


class NoWeights(Kind):
    """Declared free: no parameters and no weight multiplications (so torchinfo, which counts
    a module's weights, counts none)."""

    def torchinfo(self, row, inputs, source=None):
        return 0

    def params(self, a, xs, y):
        return NO_PARAMS

    def macs(self, a, xs, y):
        return 0


class Elementwise(NoWeights):
    """Declared position-keeping: the output has the input's shape, and each output position
    sees exactly its input position. Subclasses may add params, never change shape or window."""

    def shape(self, a, xs):
        return xs[0], []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        return [Step("output", "", f"element-wise: the input's shape, {shape_text(y)}")] + self.weight_steps(a, xs, y)

    def weight_steps(self, a, xs, y) -> list:
        return no_weights("element-wise")


# --- what the peers count (cnncalc.conventions applies these to a report's rows) ----------


def weights_once(kind, row, inputs, source=None) -> int:
    """torchinfo, for any layer with parameters but a convolution: its weights and biases,
    once; source: the row whose weights this one reuses (torchinfo counts every call)."""
    counted = source or row
    return counted.weights + counted.biases


def weights_per_position(kind, row, inputs, source=None) -> int:
    """torchinfo, for a convolution (a transposed one too): its weights and biases × the
    output positions."""
    counted = source or row
    return (counted.weights + counted.biases) * prod(row.output_shape[1:])


def our_macs(kind, row, inputs) -> int:
    """fvcore, for convolutions and dense layers: the weight multiplications, as ours."""
    return row.macs


def counts_nothing(kind, row, inputs, source=None) -> int:
    """A peer that counts nothing for this kind (fvcore's activations, shuffles, …; torchinfo's
    layer scale, a parameter that is no leaf module's `weight`)."""
    return 0


def per_input_element(kind, row, inputs) -> int:
    """fvcore, for an adaptive or global average pool: 1 per input element, on a 2-D input only
    (its handler is registered for aten::adaptive_avg_pool2d; the 1-D and 3-D ops count 0)."""
    return sum(prod(x) for x in inputs) if all(len(x) == 3 for x in inputs) else 0


def input_elements(inputs) -> int:
    """The elements a layer reads, over all its inputs (channels-first shapes, batch excluded)."""
    return sum(prod(x) for x in inputs)


# --- text shared by the kinds' labels and worked arithmetic ------------------------------


def activation_suffix(a) -> str:
    act = a.get("activation")
    return f" +{act}" if act and act != "linear" else ""


def pad_label(padding) -> str:
    if isinstance(padding, str):
        return f" {padding}"
    if padding == 0:
        return ""
    if isinstance(padding, int):
        return f" p{padding}"
    return " p" + ",".join(str(p) if isinstance(p, int) else "(" + ",".join(map(str, p)) + ")" for p in padding)


def window_label(a, rank: int = 2) -> str:
    """3×3/2 p1 for a 2-D kernel of 3: the kernel spelled at the input's rank (80/4 in 1-D,
    3×3×3/1 in 3-D), then the stride, padding and dilation."""
    k = a["kernel"]
    k = (k,) * max(rank, 1) if isinstance(k, int) else k
    text = f"{fmt_dims(k)}/{fmt_dims(a.get('stride', 1))}" + pad_label(a.get("padding", 0))
    d = a.get("dilation", 1)
    if d != 1:
        text += f" d{fmt_dims(d)}"
    return text


def dot(values) -> str:
    """(3, 3, 64) -> '3·3·64'."""
    return "·".join(str(v) for v in values)


def elements_product(shape) -> str:
    """A shape's elements as a product in H·W·C order: (96, 55, 55) -> '55·55·96'."""
    return shape_text(shape, "hwc", "·")


def number(value: int) -> str:
    return f"{value:,}"


def no_weights(reason: str) -> list:
    return [Step("params", "", f"0 ({reason})", 0), Step("MACs", "", "0 (no weight multiplications)", 0)]


def kept_steps(a, xs, y, what: str) -> list:
    return [Step("output", "", f"{what}: {shape_text(y)}")]
