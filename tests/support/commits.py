"""The commits a connection makes, logged beside other events (the review screen's flushes:
tests/collection/test_background_flush.py, tests/tui/test_background_flush_app.py)."""

from __future__ import annotations


def watch_commits(conn, events: list[str]) -> None:
    """Append "commit" to `events` at each commit of a write transaction on `conn` (not at
    the COMMIT that ends a read transaction)."""
    writing = [False]

    def traced(sql: str) -> None:
        if sql == "BEGIN IMMEDIATE":
            writing[0] = True
        elif sql == "COMMIT" and writing[0]:
            writing[0] = False
            events.append("commit")

    conn.set_trace_callback(traced)
