"""The charts' geometry: a bar's parts add up to the API's total, on one scale."""

from __future__ import annotations

from datetime import date

from ledger.api.console.charts import parts, stacked, timeline


def counts(**given: int) -> dict[str, int]:
    keys = ("rectified_on_time", "rectified_after_extension", "rectified_late", "referred")
    base = dict.fromkeys((*keys, "dismissed", "open", "overdue"), 0)
    base.update(given)
    base["total"] = sum(base[k] for k in (*keys, "dismissed", "open"))
    return base


def test_a_bars_parts_add_up_to_its_total_and_share_the_scale() -> None:
    rows = [
        ("甲", "/a", counts(rectified_on_time=3, open=2, overdue=1)),
        ("乙", None, counts(rectified_late=1, referred=1, dismissed=2)),
    ]
    chart = stacked("标题", rows)
    first, second = chart.bars
    assert dict(parts(rows[0][2]))["open_in_time"] == 1
    assert sum(s.count for s in first.segments) == first.total == 5
    assert sum(s.count for s in second.segments) == second.total == 4
    unit = first.segments[0].width / 3
    for bar in chart.bars:
        for segment in bar.segments:
            assert abs(segment.width - unit * segment.count) < 0.2
    assert [s.key for s in first.segments] == ["rectified_on_time", "open_in_time", "overdue"]
    assert chart.ticks[0].text == "0" and int(chart.ticks[-1].text) >= 5


def test_long_labels_are_shortened_and_no_rows_make_an_empty_chart() -> None:
    chart = stacked("标题", [("无锡市人力资源和社会保障局下属事业单位", None, counts(open=1))])
    assert chart.bars[0].label.endswith("…") and len(chart.bars[0].label) == 14
    assert chart.bars[0].full_label == "无锡市人力资源和社会保障局下属事业单位"
    assert stacked("空", []).bars == []


def test_a_timeline_runs_each_post_from_its_start_to_its_end_or_today() -> None:
    posts = [
        {
            "unit_name": "某区政府",
            "title": "区长",
            "role": "principal",
            "effective_from": "2021-10-10",
            "effective_to": None,
        },
        {
            "unit_name": "某局",
            "title": "局长",
            "role": "leader",
            "effective_from": "2018-01-01",
            "effective_to": "2021-10-10",
        },
    ]
    chart = timeline("任职", posts, date(2026, 6, 1))
    current, earlier = chart.spans
    assert abs(earlier.x + earlier.width - current.x) < 0.2  # one ends where the next begins
    assert chart.ticks[0].text == "2018" and chart.ticks[-1].text == "2027"
