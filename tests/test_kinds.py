"""One case table for every registered layer kind.

Each row runs a tiny network (the input, optional helper layers, then the layer under test)
through `cnncalc.loads` + `cnncalc.analyze` and checks the last layer's channels-first
output shape, params (weights + biases), non-trainable params and MACs.

Expected values are written as the textbook arithmetic, with its source:
  conv            params = C_out·(C_in/groups)·prod(k) + C_out (bias)
                  MACs   = out elements · (C_in/groups) · prod(k)
                  size   = floor((n + pads − d(k−1) − 1)/s) + 1   (PyTorch Conv docs)
  conv_transpose  size   = (n−1)s − 2p + d(k−1) + output_padding + 1   (PyTorch ConvTranspose docs)
                  params = C_in·(C_out/groups)·prod(k) + C_out
                  MACs   = input elements · (C_out/groups) · prod(k)   (real multiplications)
  separable_conv  Keras SeparableConv2D: depthwise k·k·C_in·m (no bias) + pointwise C_in·m·F + F
  locally_connected  Keras LocallyConnected2D: unshared weights and biases per output position
  batch_norm      gamma, beta learnable (2C); running mean, var not (2C)
Layouts in the YAML are channels-last (HWC, TC, DHWC); shapes checked here are channels-first.
"""

from __future__ import annotations

from math import prod

import pytest
from helpers import network_yaml
from kind_cases import CASES  # noqa: E402  (the table, shared with test_homework)

import cnncalc
from cnncalc.kinds import ACTIVATIONS, KINDS


def kind_of(layer) -> str:
    last = layer[-1] if isinstance(layer, list) else layer
    return last if isinstance(last, str) else next(iter(last))


@pytest.mark.parametrize(
    "case_id, layer, inp, out_shape, params, non_trainable, macs", CASES, ids=[c[0] for c in CASES]
)
def test_kind(case_id, layer, inp, out_shape, params, non_trainable, macs):
    shape, layout = inp
    report = cnncalc.analyze(cnncalc.loads(network_yaml(layer, shape, layout)))
    row = report.layers[-1]
    assert row.kind == kind_of(layer)
    assert tuple(row.output_shape) == out_shape
    assert row.activation_size == prod(out_shape)
    assert row.params == params
    assert row.non_trainable_params == non_trainable
    assert row.macs == macs
    assert row.flops == 2 * macs


def test_conv_transpose_macs_count_real_multiplications_not_output_side():
    # the output-side count out_elements·(C_in/groups)·k² would be (14·14·32)·64·16,
    # 4× (= stride²) the real multiplications 7·7·64 · 32·16
    report = cnncalc.analyze(
        cnncalc.loads(
            network_yaml({"conv_transpose": {"filters": 32, "kernel": 4, "stride": 2, "padding": 1}}, [7, 7, 64], "HWC")
        )
    )
    row = report.layers[-1]
    assert row.macs == 7 * 7 * 64 * 32 * 4 * 4
    assert row.macs != 14 * 14 * 32 * 64 * 4 * 4


def test_every_registered_kind_has_a_case_row():
    covered = {kind_of(c[1]) for c in CASES}
    missing = sorted(set(KINDS) - {"input"} - covered)
    assert not missing, f"kinds without a row in CASES: {missing}"
    # and every row names a real kind
    assert covered <= set(KINDS)


# --- safe defaults: no rule is inherited silently -----------------------------------------

from cnncalc.kinds import ALIASES, FACTS, RULES, Elementwise, Kind, NoWeights, declares, fold, register, undeclared  # noqa: E402


@pytest.mark.parametrize("name", sorted(set(KINDS) - {"input"}))
def test_every_kind_declares_its_rules(name):
    kind = KINDS[name]
    for rule in ("shape", "params", "macs", "explain"):
        assert declares(kind, rule), f"{name} has no {rule} rule of its own"
    if isinstance(kind, Elementwise):
        # declared position-keeping: it may add params, never change the shape or the window
        assert type(kind).shape is Elementwise.shape and type(kind).window is Elementwise.window, name
    else:
        assert declares(kind, "window"), (
            f"{name} moves positions but declares no window rule; give it one (None where the "
            f"receptive field is undefined) or make it Elementwise"
        )


def test_a_kind_without_rules_fails_loudly_and_has_no_receptive_field():
    class Upsample(NoWeights):  # an experiment: doubles H and W, and forgets its window
        name, prefix = "experimental_upsample", "up"

        def shape(self, a, xs):
            return (xs[0][0], *(2 * n for n in xs[0][1:])), []

    kind = Upsample()
    assert not declares(kind, "window")  # what test_every_kind_declares_its_rules would flag
    # the one way into the registry refuses it, and says what it lacks
    with pytest.raises(
        TypeError, match="kind 'experimental_upsample' does not declare window, explain, fvcore, in_place, aliases"
    ):
        register(kind)
    assert "experimental_upsample" not in KINDS
    KINDS["experimental_upsample"] = kind  # behind register's back, to see what the engine does
    try:
        net = cnncalc.loads(
            network_yaml(
                [{"conv": {"filters": 2, "kernel": 3}}, "experimental_upsample", {"conv": {"filters": 2, "kernel": 3}}],
                [8, 8, 1],
                "HWC",
            )
        )
        report = cnncalc.analyze(net)
    finally:
        del KINDS["experimental_upsample"]
    assert report.layers[1].receptive_field == (3, 3)
    # undefined through the new kind, and after it: never a guess such as 5
    assert report.layers[2].receptive_field is None and report.layers[3].receptive_field is None
    with pytest.raises(NotImplementedError, match="no shape rule"):
        Kind().shape({}, [(1, 4, 4)])
    assert set(RULES) == {"shape", "params", "macs", "window", "explain", "torchinfo", "fvcore"}
    assert set(FACTS) == {"in_place", "aliases"}


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_declares_its_peer_counts_in_place_and_aliases(name):
    # each in the kind's own class (or its family's base), never inherited from Kind
    kind = KINDS[name]
    assert undeclared(kind) == []
    assert isinstance(kind.in_place, bool) and isinstance(kind.aliases, tuple)
    assert all(isinstance(alias, str) and alias for alias in kind.aliases)


def test_only_the_activations_run_in_place():
    # the in-place inference peak overwrites an activation's input, as ReLU(inplace=True) does

    assert {name for name, kind in KINDS.items() if kind.in_place} == set(ACTIVATIONS)


def test_aliases_name_one_kind_each_and_point_home():
    owners: dict = {}
    for name, kind in KINDS.items():
        for alias in kind.aliases:
            owners.setdefault(fold(alias), set()).add(name)
    assert {alias: names for alias, names in owners.items() if len(names) > 1} == {}
    assert ALIASES == {alias: names.pop() for alias, names in owners.items()}
    # folded as people write them: nn.Conv2d, Conv2D and conv_2d are one alias
    assert ALIASES[fold("nn.Conv2d")] == ALIASES[fold("Conv2D")] == ALIASES[fold("conv_2d")] == "conv"


def test_register_refuses_a_taken_name_or_alias():
    class Twin(NoWeights):
        name, prefix, in_place, aliases = "relu", "twin", False, ()
        fvcore = staticmethod(lambda row, sizes: 0)

        def shape(self, a, xs):
            return xs[0], []

        def window(self, a, xs):
            return None

        def explain(self, a, xs, y):
            return []

    with pytest.raises(TypeError, match="kind 'relu' is registered twice"):
        register(Twin())
    twin = Twin()
    twin.name, twin.aliases = "twin", ("Conv2d",)
    with pytest.raises(TypeError, match="the alias 'Conv2d' is 'conv''s already"):
        register(twin)
    assert "twin" not in KINDS


def test_an_elementwise_kind_is_one_class():
    class Swish2(Elementwise):
        name = prefix = "swish2"

    KINDS["swish2"] = Swish2()
    try:
        report = cnncalc.analyze(
            cnncalc.loads(network_yaml([{"conv": {"filters": 2, "kernel": 3}}, "swish2"], [8, 8, 1], "HWC"))
        )
    finally:
        del KINDS["swish2"]
    row = report.layers[-1]
    assert (row.output_shape, row.params, row.macs, row.receptive_field) == ((2, 6, 6), 0, 0, (3, 3))


@pytest.mark.parametrize(
    "layer, shape, layout, label",
    [
        ({"conv": {"filters": 8, "kernel": 80, "stride": 4}}, [400, 1], "TC", "conv 80/4 ×8"),  # 1-D: one number
        ({"conv": {"filters": 8, "kernel": 3}}, [8, 17, 17, 3], "DHWC", "conv 3×3×3/1 ×8"),  # 3-D: three
        ({"max_pool": {"kernel": 2}}, [100, 4], "TC", "max_pool 2/2"),
        ({"conv": {"filters": 8, "kernel": 3, "padding": 1}}, [8, 8, 3], "HWC", "conv 3×3/1 p1 ×8"),
    ],
)
def test_labels_show_the_input_rank(layer, shape, layout, label):
    assert cnncalc.analyze(cnncalc.loads(network_yaml(layer, shape, layout))).layers[-1].label == label


@pytest.mark.parametrize("name", sorted({alias for kind in KINDS.values() for alias in kind.aliases} - set(KINDS)))
def test_another_frameworks_name_points_to_its_kind(name):
    # each declared alias, written as a layer's kind, is refused with the kind it stands for
    from cnncalc.kinds import alias_of

    with pytest.raises(cnncalc.CnnCalcError, match=rf"unknown layer kind '{name}'; did you mean '{alias_of(name)}'\?"):
        cnncalc.loads(network_yaml(name, [8, 8, 3], "HWC"))
