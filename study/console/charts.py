"""The geometry of the console's server-rendered SVG charts: numbers in, coordinates and tick
labels out; the template draws them (no chart library, no script). Colours and dashes are in
static/css/trustlab.css, so the lines differ by dash as well as by colour."""

from dataclasses import dataclass

from study.selectors.progress_steps import DayCounts

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 36  # room for the tick labels


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the SVG's user units
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: str  # "x,y x,y ..." for a polyline
    last: int  # the value at the end, for the legend


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's bottom edge (the x axis)
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    description: str


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... (times a power of ten) at least ``value``: round
    gridlines at a quarter and half of it only when they are whole numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def cumulative_chart(days: list[DayCounts]) -> LineChart | None:
    """Enrolled and completed to date, one point per day; None when nobody has enrolled."""
    if not days:
        return None
    top_value = _nice_ceiling(max(1, days[-1].enrolled_total))
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span = max(1, len(days) - 1)

    def x(index: int) -> float:
        if len(days) == 1:
            return (LEFT + right) / 2
        return round(LEFT + (right - LEFT) * index / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - TOP) * value / top_value, 1)

    def line(values: list[int]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))

    enrolled = [day.enrolled_total for day in days]
    completed = [day.completed_total for day in days]
    x_indices = sorted({0, len(days) // 2, len(days) - 1})
    y_values = [0, top_value // 2, top_value] if top_value % 2 == 0 else [0, top_value]
    first, last = days[0].day.isoformat(), days[-1].day.isoformat()
    period = first if first == last else f"from {first} to {last}"
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        series=(
            Series("Enrolled", "chart-enrolled", line(enrolled), enrolled[-1]),
            Series("Completed", "chart-completed", line(completed), completed[-1]),
        ),
        x_ticks=tuple(Tick(x(i), days[i].day.isoformat()) for i in x_indices),
        y_ticks=tuple(Tick(y(v), str(v)) for v in y_values),
        description=(
            f"Participants enrolled and completed to date, by day (UTC), {period}: "
            f"{enrolled[-1]} enrolled and {completed[-1]} completed in all."
        ),
    )
