"""k-anonymity measured exactly on synthetic populations with known class sizes, and
suppression on the stream's window."""

from __future__ import annotations

from typing import Any

import pytest

from redactors.kwindow import RiskWindow
from redactors.risk import Locator, QuasiSpec, measure

SPEC = QuasiSpec(fields=(("country", ("geo.country",)), ("city", ("geo.city",)),
                         ("browser", ("ua.browser",)), ("major", ("ua.browser_major",))),
                 subject_paths=("user_id",), k=5, generalize=("city", "major"))


def _record(subject: str, country: str, city: str, browser: str, major: str) -> dict[str, Any]:
    return {"user_id": subject, "geo": {"country": country, "city": city},
            "ua": {"browser": browser, "browser_major": major}, "event": "page_view"}


def _population(sizes: dict[tuple[str, str, str, str], int], events: int = 3,
                ) -> list[dict[str, Any]]:
    """`size` subjects per class, each with `events` records."""
    return [_record(f"p1:k:{'-'.join(key)}:{n}", *key) for key, size in sizes.items()
            for n in range(size) for _ in range(events)]


SIZES = {("EE", "Tallinn", "Firefox", "120"): 1, ("EE", "Tartu", "Chrome", "119"): 3,
         ("DE", "Berlin", "Chrome", "120"): 7, ("US", "Boston", "Safari", "17"): 12,
         ("US", "Boston", "Safari", "16"): 2}


def _rows(records: list[dict[str, Any]]) -> list[tuple[tuple[str | None, ...], str]]:
    return [(SPEC.class_of(r), SPEC.subject_of(r)) for r in records]


def test_known_class_sizes_measured_exactly() -> None:
    records = _population(SIZES)  # 25 subjects, 3 records each
    report = measure(_rows(records), SPEC.names, k=5)
    assert (report.records, report.subjects, report.classes) == (75, 25, 5)
    # below 2: the class of 1; below 5: 1 + 3 + 2; below 10: and the class of 7
    assert report.records_below == {2: 3, 5: 18, 10: 39}
    assert report.subjects_below == {2: 1, 5: 6, 10: 13}
    assert report.share_records_below(5) == pytest.approx(18 / 75)
    assert report.share_subjects_below(10) == pytest.approx(13 / 25)
    assert report.size_distribution == [("1", 1, 3), ("2-4", 2, 15), ("5-9", 1, 21),
                                        ("10-99", 1, 36), ("100+", 0, 0)]
    # Leaving out the major merges Boston Safari 16 into 17 (2 + 12): 12 records fewer
    # below 5; leaving out the city or the browser merges nothing.
    assert report.contribution == {"country": 18, "city": 18, "browser": 18, "major": 12}
    assert report.top_contributor == "major"


def test_one_subject_many_records_is_still_one() -> None:
    records = [_record("p1:k:a", "EE", "Tallinn", "Firefox", "120")] * 50
    report = measure(_rows(records), SPEC.names, k=5)
    assert report.records_below[10] == 50
    assert report.subjects_below[10] == 1


def test_records_without_a_pseudonym_count_as_one_subject() -> None:
    records = [{"geo": {"country": "EE"}} for _ in range(20)]
    report = measure(_rows(records), SPEC.names, k=5)
    assert report.subjects == 1
    assert report.records_below[2] == 20


def test_empty_input() -> None:
    report = measure([], SPEC.names)
    assert report.records == 0
    assert report.share_records_below(5) == 0.0
    assert report.top_contributor is None


def test_report_holds_no_values() -> None:
    records = _population(SIZES)
    text = repr(measure(_rows(records), SPEC.names).to_dict())
    for word in ("Tallinn", "Firefox", "p1:k", "EE"):
        assert word not in text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _suppressing(**changes: Any) -> QuasiSpec:
    settings: dict[str, Any] = {"fields": SPEC.fields, "subject_paths": SPEC.subject_paths,
                                "k": 5, "generalize": SPEC.generalize, "suppression": True}
    return QuasiSpec(**(settings | changes))


def test_suppression_removes_the_rare_combination() -> None:
    window = RiskWindow(_suppressing(), clock=Clock())
    written = []
    common = [_record(f"s{n}", "DE", "Berlin", "Chrome", "120") for n in range(10)]
    rare = _record("rare", "EE", "Tallinn", "Firefox", "120")
    for record in [*common, rare, *common]:
        record = {**record, "geo": dict(record["geo"]), "ua": dict(record["ua"])}
        window.observe(record, record["user_id"])
        written.append(record)
    # the rare subject's city is generalized away: Tallinn never reaches analytics
    assert all(r["geo"].get("city") != "Tallinn" for r in written)
    assert written[10]["geo"] == {"country": "EE"}
    # the first four Berlin subjects were below k too, then the class filled up
    assert [("city" in r["geo"]) for r in written[:10]] == [False] * 4 + [True] * 6
    assert all("city" in r["geo"] for r in written[11:])
    assert window.generalized == {"city": 5}
    report = window.report()  # what was written: no class of one any more for Tallinn
    assert report.records == 21


def test_suppression_generalizes_the_next_level_when_the_city_is_gone() -> None:
    window = RiskWindow(_suppressing(), clock=Clock())
    record = {"user_id": "x", "geo": {"country": "EE"}, "ua": {"browser": "Firefox",
                                                             "browser_major": "121"}}
    window.observe(record, "x")
    assert record["ua"] == {"browser": "Firefox"}
    assert window.generalized == {"major": 1}


def test_suppression_off_changes_nothing_but_counts() -> None:
    window = RiskWindow(SPEC, clock=Clock())
    record = _record("rare", "EE", "Tallinn", "Firefox", "120")
    window.observe(record, "rare")
    assert record["geo"]["city"] == "Tallinn"
    assert window.report().records_below[2] == 1


def test_window_is_bounded_in_time_and_size() -> None:
    clock = Clock()
    window = RiskWindow(_suppressing(max_records=100, window_seconds=60.0), clock=clock)
    for n in range(250):
        window.observe(_record(f"s{n % 7}", "DE", "Berlin", "Chrome", "120"), f"s{n % 7}")
    assert len(window) == 100
    clock.now += 61
    assert window.report().records == 0
    assert len(window) == 0


def test_erased_subjects_leave_the_window() -> None:
    window = RiskWindow(_suppressing(), clock=Clock())
    for n in range(5):
        window.observe(_record(f"s{n}", "DE", "Berlin", "Chrome", "120"), f"s{n}")
    assert window.forget(lambda token: token in ("s3", "s4")) == 2
    assert window.report().subjects == 3
    # the class is below k again (s9 is its fourth subject): the record is generalized
    record = _record("s9", "DE", "Berlin", "Chrome", "120")
    window.observe(record, "s9")
    assert "city" not in record["geo"]


@pytest.mark.parametrize("record", [
    {"geo": {"country": "EE", "city": "Tartu"}, "ua": {"browser": "Firefox"}},
    {"geo.country": "EE", "geo": {"city": "Tartu"}, "ua.browser_major": "120"},  # flat keys
    {"geo": "not an object", "ua": {"browser": None, "browser_major": 0}},
    {"event": "page_view"},
])
def test_the_locator_finds_what_the_spec_finds(record: dict[str, Any]) -> None:
    """The hot path's Locator (values, and the path suppression removes) agrees with
    QuasiSpec.locate, the reference walk."""
    locate = Locator(SPEC)
    values, found_at = SPEC.locate(record)
    assert locate(record) == values
    assert [locate.path(record, at) for at in range(len(found_at))] == list(found_at)
