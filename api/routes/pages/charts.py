"""A weekly line chart of feedback per theme, drawn as SVG on the server (no script, no CDN)."""

from dataclasses import dataclass
from datetime import date, timedelta

from api.contract import THEMES
from api.services.feedback import monday

# Colours that stay apart for the commonest colour blindness (Okabe and Ito), each with its own
# dash pattern so the lines can be told apart in black-and-white print too.
STYLES = {
    "family": ("#0072B2", ""),
    "stability": ("#D55E00", "8 4"),
    "relationships": ("#009E73", "2 3"),
    "learning": ("#CC79A7", "10 3 2 3"),
    "health": ("#7a5c00", "4 4"),
    "accommodation": ("#000000", "1 0"),
}
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 28, 16, 40


@dataclass(frozen=True)
class Series:
    """One theme's line."""

    theme: str
    colour: str
    dash: str
    points: str  # "x,y x,y ..." for <polyline>
    counts: list[int]
    last: tuple[float, float]


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template draws."""

    weeks: list[date]
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM


def weekly_chart(weekly: list[dict], end: date, weeks: int = 12) -> Chart:
    """The last `weeks` weeks to `end`, from summarise()'s weekly rows (weeks with nothing count 0)."""
    first = monday(end) - timedelta(weeks=weeks - 1)
    days = [first + timedelta(weeks=i) for i in range(weeks)]
    by_week = {row["week"]: row for row in weekly}
    counts = {t: [int(by_week.get(d.isoformat(), {}).get(t, 0)) for d in days] for t in THEMES}
    peak = max([1, *[n for values in counts.values() for n in values]])
    step = max(1, -(-peak // 4))  # four gridlines at most, whole numbers
    top_value = step * -(-peak // step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + plot_w * i / max(weeks - 1, 1), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    series = [
        Series(
            theme,
            *STYLES[theme],
            " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
            values,
            (x(weeks - 1), y(values[-1])),
        )
        for theme, values in counts.items()
    ]
    labels = [(x(i), f"{d.day} {d.strftime('%b')}") for i, d in enumerate(days) if i % 2 == (weeks - 1) % 2]
    ticks = [(y(v), v) for v in range(0, top_value + 1, step)]
    return Chart(days, series, labels, ticks)
