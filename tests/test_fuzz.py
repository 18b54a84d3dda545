"""Fuzzing: generated and mutated network files end in a report or a located CnnCalcError,
never in another exception or a hang. The quick run is part of the default suite; the long
run (100,000 cases, several minutes) is opt-in: `python -m pytest -m fuzz`."""

import os

import pytest
from fuzzing import campaign


@pytest.mark.parametrize("seed", range(4))
def test_quick_fuzz(seed):
    counts = campaign(seed, 150)
    # both outcomes are reached: the generators make valid networks and broken ones
    assert counts["ok"] > 0 and counts["error"] > 0, counts


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(1000, 1000 + int(os.environ.get("CNNCALC_FUZZ_SEEDS", "20"))))
def test_long_fuzz(seed):
    counts = campaign(seed, int(os.environ.get("CNNCALC_FUZZ_CASES", "5000")))
    print(f"seed {seed}: {counts}")
    assert counts["ok"] > 0 and counts["error"] > 0, counts
