"""The crawl child's lines are read back by its parent as they were written."""

from crawler.contract import CycleSummary, Progress, SourceResult


def test_progress_and_summary_lines_read_back_whole() -> None:
    finished = SourceResult("Kür Daily", "feed", "error: HTTP 500", 3, 1, 0, 2, 4, 5)
    for progress in (Progress(1, 2, 30, 4, finished), Progress(0, 2, 0, 0)):
        assert Progress.from_line(progress.to_json()) == progress
    summary = CycleSummary("2026-12-05T10:00:00Z", [finished], {"Kür Daily": None, "X": "t"})
    assert CycleSummary.from_json(summary.to_json()) == summary
    assert '"Kür Daily"' in summary.to_json()  # written as it reads, not \\u-escaped
    assert Progress.from_line(summary.to_json()) is None
