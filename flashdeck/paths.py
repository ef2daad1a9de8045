"""Where things live: the collection file and the user's config."""

from __future__ import annotations

import os
from pathlib import Path


def collection_path(explicit: str | None = None) -> Path:
    """`--collection`, else `FLASHDECK_COLLECTION`, else the platform's user data dir."""
    if explicit is not None:
        if not explicit.strip():
            # `--collection "$COL"` with COL unset: never the user's own collection instead
            from flashdeck.errors import UsageError

            raise UsageError("--collection was given an empty path")
        return _from_here(Path(explicit).expanduser(), "--collection")
    env = os.environ.get("FLASHDECK_COLLECTION")
    if env:
        return _from_here(Path(env).expanduser(), "$FLASHDECK_COLLECTION")
    return data_dir() / "collection.sqlite"


CWD_GONE = ("the current folder no longer exists (deleted or moved since the shell entered"
            " it): `cd` to a folder, or give the path from /")


def cwd_gone() -> bool:
    """Whether the current folder was deleted under the process (`cd d; rm -rf d`): every
    relative path then fails, with errors that do not say why."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def _from_here(path: Path, given_by: str) -> Path:
    """`path`; a relative one with the current folder deleted is a usage error that says so
    (it read "no collection at c.sqlite", a cron job's collection taken for missing)."""
    if not path.is_absolute() and cwd_gone():
        from flashdeck.errors import UsageError
        from flashdeck.textsafe import sanitize

        raise UsageError(f"{given_by} {sanitize(str(path))} is relative, and {CWD_GONE}")
    return path


def demo_collection_path() -> Path:
    """The demo's own collection (the bundled deck), beside the user's: never theirs."""
    return data_dir() / "demo.sqlite"


def review_collection(explicit: str | None = None, demo: bool = False) -> tuple[Path, bool]:
    """The collection `flashdeck review` opens, and whether it is the demo: the demo when
    asked for (`--demo`), or while the user has no collection of their own (none named by
    `--collection` or FLASHDECK_COLLECTION, none at the default path)."""
    if demo:
        return demo_collection_path(), True
    path = collection_path(explicit)
    if not explicit and not os.environ.get("FLASHDECK_COLLECTION") and not path.exists():
        return demo_collection_path(), True
    return path, False


def config_path() -> Path:
    """`FLASHDECK_CONFIG`, else `config.toml` in the platform's user config dir."""
    env = os.environ.get("FLASHDECK_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("flashdeck", appauthor=False) / "config.toml"


def bundled_cards_dir() -> Path | None:
    """The bundled `cards/` deck: in the checkout (editable install), else installed data."""
    import sys

    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "cards", Path(sys.prefix) / "share" / "flashdeck" / "cards"):
        if candidate.is_dir() and any(candidate.glob("*.md")):
            return candidate
    return None


def data_dir() -> Path:
    """The platform's user data dir for flashdeck (the demo, the Anki mirror and login)."""
    from platformdirs import user_data_path

    return user_data_path("flashdeck", appauthor=False)
