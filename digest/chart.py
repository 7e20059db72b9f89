"""The weekly chart of the HTML digest: relevant articles per week, as PNG bytes."""

import io
from collections.abc import Sequence
from datetime import date, timedelta

# Only the Agg canvas is used, never pyplot: no global figure state, no display needed.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 6.56, 1.9, 200
ACCENT = "#12355b"
QUIET = "#9fb3c8"


def weekly_chart(weeks: Sequence[tuple[date, int]], highlight_from: date | None = None) -> bytes:
    """A bar chart of (Monday, count) pairs; weeks from `highlight_from` on stand out."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.add_subplot()
    days = [week for week, _ in weeks]
    counts = [count for _, count in weeks]
    colours = [
        ACCENT
        if highlight_from is not None and week + timedelta(days=6) >= highlight_from
        else QUIET
        for week in days
    ]
    if days:
        bars = axes.bar(date2num(days), counts, width=5.5, color=colours, align="edge")
        # The period's own weeks carry their number: the figure a reader looks for first.
        for bar, colour, count in zip(bars, colours, counts, strict=True):
            if colour == ACCENT and count:
                axes.annotate(
                    str(count),
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    fontweight="bold",
                    color=ACCENT,
                )
        axes.set_xlim(date2num(days[0]) - 2, date2num(days[-1]) + 9)
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes.set_ylim(bottom=0, top=max([*counts, 1]) * 1.15)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#bcccdc")
    axes.tick_params(colors="#52606d", labelsize=8.5, length=0)
    axes.grid(axis="y", color="#e4e7eb", linewidth=0.6)
    axes.set_axisbelow(True)
    if not any(counts):
        axes.text(
            0.5,
            0.5,
            "no relevant articles yet",
            transform=axes.transAxes,
            ha="center",
            va="center",
            color="#7b8794",
            fontsize=8,
        )
    figure.tight_layout(pad=0.4)
    out = io.BytesIO()
    # No "Software" stamp: the same data gives the same bytes.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
