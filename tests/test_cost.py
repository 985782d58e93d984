"""Costs per unit and the budget ledger that generation keeps to."""

from __future__ import annotations

from foundry_desktop.domain.cost import Cost, CostLedger, amount_words


def test_amounts_read_as_people_write_them():
    assert [amount_words(a) for a in (12, 6.5, 0.25, 1234.5, 1000000)] == ["12", "6.5", "0.25", "1,234.5", "1,000,000"]
    assert str(Cost(25, "runway-credits")) == "25 Runway credits"
    assert str(Cost(3.5, "some-new-unit")) == "3.5 some-new-unit"


def test_jobs_are_held_against_the_cap_until_they_settle_or_end():
    ledger = CostLedger({"runway-credits": 100}, {"runway-credits": 30})
    assert ledger.reserve("a", "runway-credits", 50) is None
    refused = ledger.reserve("b", "runway-credits", 25)  # 30 spent + 50 running + 25 > 100
    assert refused is not None and (refused.spent, refused.running, refused.asked) == (30, 50, 25)
    assert "bring it to 105" in refused.words()
    ledger.settle("a", Cost(40, "runway-credits"))  # it cost less than estimated
    assert ledger.spent == {"runway-credits": 70} and ledger.running("runway-credits") == 0
    assert ledger.reserve("b", "runway-credits", 25) is None
    ledger.release("b")  # failed: nothing spent, nothing held
    assert ledger.spent == {"runway-credits": 70} and ledger.running("runway-credits") == 0


def test_an_unknown_cost_is_allowed_only_under_the_cap_and_free_work_always():
    ledger = CostLedger({"gpu-seconds": 60}, {"gpu-seconds": 59})
    assert ledger.reserve("first-run", "gpu-seconds", None) is None  # nothing to go by yet
    ledger.settle("first-run", Cost(5, "gpu-seconds"))
    assert ledger.reserve("second", "gpu-seconds", None) is not None  # 64 spent: at or over the cap
    assert ledger.reserve("title-card", None, None) is None
    assert ledger.reserve("other-unit", "stability-credits", 1e9) is None  # no cap there


def test_work_sent_by_an_earlier_run_is_held_whatever_the_cap_and_settles_at_its_estimate():
    ledger = CostLedger({"video-seconds": 10}, {"video-seconds": 10})
    ledger.hold("resumed", "video-seconds", 8)
    assert ledger.running("video-seconds") == 8
    ledger.settle("resumed", None)  # the service said nothing: it cost what was estimated
    assert ledger.spent == {"video-seconds": 18}
