"""helpers.claims: method claims asserted at every seed, draw claims at the stored seed."""

import json

import numpy as np
import pytest

from helpers import claims


def test_a_method_claim_is_asserted_with_its_words():
    claims.check(True, "holds")
    with pytest.raises(AssertionError, match=r"^the LSTM beats the ridge \(value 0\.31\)$"):
        claims.check(False, "the LSTM beats the ridge", value=0.31)


def test_a_draw_claim_is_asserted_at_the_stored_seed_only(capsys):
    stored = claims.Draw(42, stored_seed=42)
    assert stored.checked and bool(stored)
    assert capsys.readouterr().out == ""
    with pytest.raises(AssertionError, match="the GRU leads"):
        stored.check(False, "the GRU leads")
    other = claims.Draw(1, stored_seed=42)
    assert not other.checked
    assert "SEED = 1: the claims about the stored run (SEED = 42)" in capsys.readouterr().out
    other.check(False, "the GRU leads")  # recorded, not asserted


@pytest.mark.parametrize("value", ["1", "yes"])
def test_other_versions_record_the_draw_claims_even_at_the_stored_seed(value, capsys, monkeypatch):
    monkeypatch.setenv(claims.NOT_STORED_VARIABLE, value)
    draw = claims.Draw(42, stored_seed=42)
    assert not draw.checked
    assert "not the stored one" in capsys.readouterr().out
    draw.check(False, "in this run the GRU leads")  # recorded, not asserted
    with pytest.raises(AssertionError, match="^the LSTM beats the naive forecast$"):
        claims.check(False, "the LSTM beats the naive forecast")  # the method: as always


@pytest.mark.parametrize("value", ["", "0"])
def test_the_variable_unset_or_0_leaves_the_stored_run_checked(value, monkeypatch):
    monkeypatch.setenv(claims.NOT_STORED_VARIABLE, value)
    draw = claims.Draw(42, stored_seed=42)
    assert draw.checked
    with pytest.raises(AssertionError, match="^in this run the GRU leads$"):
        draw.check(False, "in this run the GRU leads")


def test_every_claim_is_logged_when_the_variable_names_a_file(tmp_path, monkeypatch):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.CLAIMS_LOG_VARIABLE, str(log))
    claims.check(np.float64(0.01) < 0.05, "p below 0.05", value=np.float64(0.01))
    claims.Draw(3, stored_seed=0).check(False, "the width is 16", value=8)
    with pytest.raises(AssertionError):
        claims.check(False, "a false claim")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records == [
        {"claim": "p below 0.05", "kind": "method", "checked": True, "held": True, "value": 0.01},
        {"claim": "the width is 16", "kind": "draw", "checked": False, "held": False, "value": 8.0},
        {"claim": "a false claim", "kind": "method", "checked": True, "held": False, "value": None},
    ]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: claims.check(np.array([True, False]), "x"), TypeError, "use .all() or .any()"),
        (lambda: claims.check(True, ""), TypeError, "claim must be the claim in words"),
        (lambda: claims.Draw(-1, stored_seed=0), ValueError, "seed must be a non-negative"),
        (lambda: claims.Draw(0, stored_seed=1.5), TypeError, "stored_seed must be"),
    ],
)
def test_bad_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()
