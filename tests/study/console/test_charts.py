"""The SVG line's geometry: the scale's top a round number, one point per day from the left
to the right edge, ticks at the ends and the middle, and a description that says the totals."""

from datetime import date

from study.console.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Tick, cumulative_chart
from study.selectors.progress_steps import DayCounts


def _day(n: int, enrolled_total: int, completed_total: int) -> DayCounts:
    return DayCounts(date(2026, 11, n), 0, 0, enrolled_total, completed_total)


def test_given_no_day_then_there_is_no_chart():
    assert cumulative_chart([]) is None


def test_given_three_days_then_the_points_span_the_plot_on_a_round_scale():
    chart = cumulative_chart([_day(1, 3, 0), _day(2, 7, 2), _day(3, 9, 5)])

    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    assert (chart.left, chart.right, chart.top, chart.bottom) == (LEFT, right, TOP, bottom)
    # the top of the scale is 10 (the next of 1, 2, 5, 10... from 9): y = 204 - 192 * v / 10
    assert chart.series[0].points == "48.0,146.4 336.0,69.6 624.0,31.2"
    assert chart.series[1].points == "48.0,204.0 336.0,165.6 624.0,108.0"
    assert [(s.name, s.last) for s in chart.series] == [("Enrolled", 9), ("Completed", 5)]
    assert chart.y_ticks == (Tick(204.0, "0"), Tick(108.0, "5"), Tick(12.0, "10"))
    assert [tick.label for tick in chart.x_ticks] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert chart.description == (
        "Participants enrolled and completed to date, by day (UTC), from 2026-11-01 to "
        "2026-11-03: 9 enrolled and 5 completed in all."
    )


def test_given_one_day_then_its_point_is_in_the_middle_and_the_period_is_that_day():
    chart = cumulative_chart([_day(4, 1, 1)])

    assert chart.series[0].points == "336.0,12.0"
    assert chart.y_ticks == (Tick(204.0, "0"), Tick(12.0, "1"))
    assert chart.description.endswith("(UTC), 2026-11-04: 1 enrolled and 1 completed in all.")


def test_given_large_totals_then_the_scale_tops_at_the_next_round_number():
    chart = cumulative_chart([_day(1, 0, 0), _day(2, 4100, 10)])

    assert [tick.label for tick in chart.y_ticks] == ["0", "2500", "5000"]
