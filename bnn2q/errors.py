"""The one exception tree of bnn2q: every message names the culprit and the way out."""


class Bnn2qError(Exception):
    """Base of every error bnn2q raises on purpose; the CLI prints its message as one line."""


class InputError(Bnn2qError):
    """A bad option value, file or dataset supplied by the user."""


class FrontendError(Bnn2qError):
    """A source model bnn2q cannot read or does not support (names the layer or node)."""


class PassError(Bnn2qError):
    """A compiler pass met IR it cannot handle, or returned something that is not IR."""


class TargetError(Bnn2qError):
    """A target cannot meet the request (a missing capability or a resource limit)."""
