"""Tests of helpers.lesson_claims: claims asserted on the lesson's data, skipped on a reader's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import claims, lesson_claims, models


def test_on_the_lesson_data_a_false_method_claim_fails_at_every_seed():
    for seed in (42, 1):
        lesson = lesson_claims.LessonClaims(None, seed, stored_seed=42)
        with pytest.raises(AssertionError, match=r"the LSTM beats the naive \(value 0\.3\)"):
            lesson.check(False, "the LSTM beats the naive", value=0.3)


def test_a_draw_claim_fails_at_the_stored_seed_only(capsys):
    stored = lesson_claims.LessonClaims(None, 42, stored_seed=42)
    with pytest.raises(AssertionError, match=r"in this run the GRU leads"):
        stored.check_draw(False, "in this run the GRU leads")
    other = lesson_claims.LessonClaims(None, 3, stored_seed=42)
    other.check_draw(False, "in this run the GRU leads")  # recorded, not asserted
    assert "SEED = 3" in capsys.readouterr().out


def test_on_a_readers_csv_nothing_is_asserted_or_logged(tmp_path, monkeypatch, capsys):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.CLAIMS_LOG_VARIABLE, str(log))
    yours = lesson_claims.LessonClaims("sales.csv", 42, stored_seed=42)
    assert "DATA_PATH is set" in capsys.readouterr().out
    yours.check(False, "the free run keeps the sine's period")
    yours.check_draw(False, "in this run the direct LSTM leads")
    assert not log.exists()
    ours = lesson_claims.LessonClaims(None, 42, stored_seed=42)
    ours.check(True, "the LSTM beats the naive", value=0.01)
    ours.check_draw(True, "in this run the direct LSTM leads")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["kind"], r["held"]) for r in records] == [("method", True), ("draw", True)]


def _history(converged):
    X, y = np.zeros((8, 4, 1)), np.zeros((8, 1))
    y_val = np.ones((8, 1))  # val_loss cannot improve much: early stopping fires
    model = models.build_forecaster(4, units=2, seed=0)
    epochs = 30 if converged else 1
    return models.train(model, X, y, validation_data=(X, y_val), epochs=epochs, patience=1)


def test_converged_asserts_on_the_lesson_data_and_reports_on_a_readers():
    fired, capped = _history(True), _history(False)
    assert fired.converged and not capped.converged
    lesson = lesson_claims.LessonClaims(None, 42, stored_seed=42)
    assert lesson.converged(fired, what="the LSTM").startswith("the LSTM: ")
    with pytest.raises(AssertionError, match=r"1 of 2 fits of the LSTM stopped at the epoch cap"):
        lesson.converged(fired, capped, what="the LSTM")
    yours = lesson_claims.LessonClaims("sales.csv", 42, stored_seed=42)
    line = yours.converged(fired, capped, what="the LSTM")
    assert "early stopping fired" in line and "stopped by the epoch cap" in line


def test_converged_refuses_what_is_not_a_training_history():
    for data_path in (None, "sales.csv"):
        lesson = lesson_claims.LessonClaims(data_path, 42, stored_seed=42)
        with pytest.raises(TypeError, match=r"helpers.\w+.train returns"):
            lesson.converged({"loss": [1.0]}, what="the LSTM")
