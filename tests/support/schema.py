"""Taking a collection back to an older schema by hand, to test its migration."""

from __future__ import annotations

V11_COLUMNS = ("before_state", "before_due", "before_last_review", "before_stability")


def back_to_schema_10(conn) -> None:
    """Undo schema 11 (the log's computed columns, the stats indexes and kept counts) on an open
    connection, inside the caller's transaction; the version is left to the caller."""
    for trigger in ("insert", "delete", "update", "deck"):
        conn.execute(f"DROP TRIGGER stats_days_{trigger}")
    conn.execute("DROP TABLE stats_days")
    conn.execute("DELETE FROM meta WHERE key LIKE 'stats_days_%'")
    conn.execute("DROP INDEX cards_stats")
    conn.execute("DROP INDEX reviews_time")
    for column in V11_COLUMNS:
        conn.execute(f"ALTER TABLE reviews DROP COLUMN {column}")
    conn.execute("CREATE INDEX reviews_time ON reviews (reviewed_at)")
