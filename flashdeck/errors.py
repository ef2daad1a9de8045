"""Errors that end a command with a one-line message (never a traceback)."""


class FlashdeckError(Exception):
    """A failure the user can act on. `exit_code` is what the CLI returns."""

    exit_code = 2


class UsageError(FlashdeckError):
    """Bad arguments, an unknown card id, a malformed setting or environment variable."""


class CollectionError(FlashdeckError):
    """The collection cannot be opened or used (missing dir, not SQLite, too new...)."""


class DamagedCollectionError(CollectionError):
    """The collection file is damaged where SQLite cannot even read its schema."""
