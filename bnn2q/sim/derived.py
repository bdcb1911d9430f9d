"""What the simulator derives from an op's weights (packed kernels, reaches) or a network's
(its float32 first layer), made once and kept while the op or network lives: a network
simulated again — batches of a test set, a sweep's cells — does not repack its kernels. Ops
and networks are frozen and compared by identity, so each is its own key."""

from __future__ import annotations

import threading
import weakref

_DERIVED: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def derived(op, what: str, make):
    """``make()`` for ``op`` (an op or a network) the first time ``what`` is asked of it, the
    same object after."""
    with _LOCK:
        known = _DERIVED.setdefault(op, {})
        if what in known:
            return known[what]
    value = make()
    with _LOCK:
        return known.setdefault(what, value)
