"""Loading and analyzing run with the cyclic garbage collector paused (api._gc_paused), which is
only safe if they leave no reference cycles behind: with the collector off, a cycle made per
layer would stay in memory until the run ends. Every built-in is analyzed twice (the first run
fills the module-level caches) and the second must leave nothing for the collector.

The objects alive before the second run are frozen (gc.freeze), not collected: a collection
then goes through the objects that run made, not through every object of the test session (a
tenth of a second each). A cycle among the objects the run made is found as before; one that
would pass through an object made earlier, which the run dropped, is not."""

from __future__ import annotations

import contextlib
import gc

import pytest

import cnncalc


@contextlib.contextmanager
def only_what_follows():
    """Collections inside see only the objects made inside: the others are frozen, garbage
    included (a collection here would have freed it)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    "name",
    [
        "resnet50",
        "efficientnet_b0",
        "inception_v3",
        "googlenet-torchvision",
        "unet",
        "shufflenet_v2_x1_0",
        "densenet121",
        "lenet5",
    ],
)
def test_analyzing_leaves_no_reference_cycles(name):
    cnncalc.analyze(name)
    with only_what_follows():
        report = cnncalc.analyze(name, explain=True)
        assert report.totals.params > 0
        del report
        assert gc.collect() == 0


def test_errors_leave_no_reference_cycles_worth_keeping():
    """An error's traceback holds frames (a cycle through the exception): one per run, not one
    per layer, however long the network."""
    text = "input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n" + "  - conv: {filters: '${2 * 2}', kernel: 1}\n" * 500
    cnncalc.analyze(cnncalc.loads(text))
    with only_what_follows():
        cnncalc.analyze(cnncalc.loads(text))
        assert gc.collect() == 0
        bad = text + "  - conv: {filters: '${nope}', kernel: 1}\n"
        with pytest.raises(cnncalc.CnnCalcError):
            cnncalc.loads(bad)
        assert gc.collect() < 200


def test_the_collector_is_back_on_after_a_run_and_after_an_error():
    assert gc.isenabled()
    cnncalc.analyze("lenet5")
    assert gc.isenabled()
    with pytest.raises(cnncalc.CnnCalcError):
        cnncalc.loads("layers: [")
    assert gc.isenabled()
    gc.disable()
    try:
        cnncalc.analyze("lenet5")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
