"""The review TUI (`flashdeck review`), built on Textual.

Only this package imports Textual. `build_app` in `flashdeck.tui.app` builds the app for
the CLI and the tests alike; `content` and `session` hold the Textual-free parts (what a
card shows, and the session's bookkeeping) so they stay cheap to import and to test.
"""
