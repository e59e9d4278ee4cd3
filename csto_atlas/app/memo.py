"""A small cache kept by the server process itself, out of reach of Streamlit's `clear_cache`.

Streamlit 1.67 empties st.cache_data and st.cache_resource for every visitor when any client
sends a `clear_cache` message (runtime/app_session.py, `_handle_clear_cache_request`), and it
has no setting to refuse that message. What every visitor's first run needs (the loaded atlas,
the map's payload) therefore lives here: a least-recently-used mapping, keyed by the caller
on the data's fingerprint, shared by every session's thread.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProcessCache(Generic[K, V]):
    """At most `max_entries` values, least recently used dropped first; thread-safe.

    A value is computed once per key even when several sessions ask at the same time (the
    others wait for it); an exception is not cached. Values are shared: callers must not change
    them.
    """

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("a cache needs room for at least one entry")
        self.max_entries = max_entries
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()  # guards `entries` and `pending`
        self.pending: dict[K, threading.Lock] = {}  # one lock per key being computed

    def __contains__(self, key: K) -> bool:
        with self.lock:
            return key in self.entries

    def __len__(self) -> int:
        with self.lock:
            return len(self.entries)

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value of `key`, computed by `compute()` if it is not kept yet."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
            computing = self.pending.setdefault(key, threading.Lock())
        with computing:
            with self.lock:
                if key in self.entries:  # another thread computed it meanwhile
                    self.entries.move_to_end(key)
                    return self.entries[key]
            try:
                value = compute()
            finally:
                with self.lock:
                    self.pending.pop(key, None)
            with self.lock:
                self.entries[key] = value
                self.entries.move_to_end(key)
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
            return value

    def values(self) -> list[V]:
        """The values kept now, least recently used first."""
        with self.lock:
            return list(self.entries.values())

    def clear(self) -> None:
        """Drop every value (tests; the running app never needs it: keys change with the data)."""
        with self.lock:
            self.entries.clear()
