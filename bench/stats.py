"""Pure helpers of the benchmark: summary statistics and byte accounting (no browser here)."""

import base64
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

WEBSOCKET_TEXT_OPCODE = 1


def median(values: Sequence[float]) -> float:
    """The median (mean of the two middle values for an even count)."""
    if not values:
        raise ValueError("the median of no values")
    return float(statistics.median(values))


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values ≤ it.

    p95 of 30 values is the 29th smallest (ceil(0.95 × 30) = 29), never an interpolation below
    an observed value.
    """
    if not values:
        raise ValueError("a percentile of no values")
    if not 0 < share <= 1:
        raise ValueError(f"share {share} is not in (0, 1]")
    ordered = sorted(values)
    return float(ordered[math.ceil(share * len(ordered)) - 1])


def summarise(values: Sequence[float]) -> dict[str, Any]:
    """n, median, p95, min and max of a sample (milliseconds or bytes)."""
    return {
        "n": len(values),
        "median": median(values),
        "p95": percentile(values, 0.95),
        "min": float(min(values)),
        "max": float(max(values)),
    }


def phases(start: float, done: dict[str, Any]) -> dict[str, float | None]:
    """Split a measured interaction at Streamlit's websocket messages (absolute ms timestamps).

    input_to_send: from the input event to the first message the page sends (the widget or
    component value; includes any debounce); send_to_last_reply: from there to the last message
    received before the check passed (the server's rerun and the transfer); last_reply_to_paint:
    from there to the verified paint (the browser's work). None where no message was sent.
    """
    sent = [t for t in done["sent"] if t >= start]
    if not sent:
        return {"input_to_send": None, "send_to_last_reply": None, "last_reply_to_paint": None}
    replies = [t for t in done["received"] if t >= sent[0]]
    last = replies[-1] if replies else None
    return {
        "input_to_send": sent[0] - start,
        "send_to_last_reply": None if last is None else last - sent[0],
        "last_reply_to_paint": done["paintedAt"] - (last if last is not None else sent[0]),
    }


def median_or_none(values: Sequence[float | None]) -> float | None:
    """The median of the values that are not None, or None if there are none."""
    present = [value for value in values if value is not None]
    return median(present) if present else None


BYTE_SOURCES = (
    # (path prefix, source): the first match wins; the websocket is counted apart
    ("/app/static/", "app static files (Leaflet)"),
    ("/component/", "map component (streamlit-folium)"),
)
STREAMLIT_SHELL = "Streamlit frontend (its own JS, CSS)"
# Streamlit 1.67 loads two fonts on every first visit, whatever the page shows: index.html
# preloads Source Sans, and its JavaScript preloads the Material Symbols icon font at startup
# (`preloadIconFont`). Both are woff2, compressed already.
STREAMLIT_FONTS = "Streamlit frontend (its fonts, always loaded)"
STREAMLIT_PARTS = (STREAMLIT_SHELL, STREAMLIT_FONTS)


def byte_source(url: str) -> str:
    """Which part of the app an HTTP response belongs to."""
    path = urlsplit(url).path
    for prefix, source in BYTE_SOURCES:
        if path.startswith(prefix):
            return source
    if path.startswith("/static/media/") and path.endswith(".woff2"):
        return STREAMLIT_FONTS
    return STREAMLIT_SHELL


def websocket_payload_bytes(response: dict[str, Any]) -> int:
    """Payload size of a CDP WebSocketFrame: UTF-8 text for opcode 1, base64 for the others."""
    data = response.get("payloadData", "")
    if response.get("opcode") == WEBSOCKET_TEXT_OPCODE:
        return len(data.encode("utf-8"))
    return len(base64.b64decode(data))


@dataclass
class Tally:
    """What the browser received (and sent) during one window of the benchmark."""

    http_bytes: int = 0
    http_responses: int = 0
    ws_bytes: int = 0
    ws_frames: int = 0
    ws_sent_bytes: int = 0
    ws_sent_frames: int = 0
    cache_hits: int = 0  # responses the browser took from its own cache (not on the wire)
    urls: list[str] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def received(self) -> int:
        """Bytes received: HTTP (encoded, headers included) plus websocket frame payloads."""
        return self.http_bytes + self.ws_bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "http_bytes": self.http_bytes,
            "http_responses": self.http_responses,
            "ws_bytes": self.ws_bytes,
            "ws_frames": self.ws_frames,
            "ws_sent_bytes": self.ws_sent_bytes,
            "ws_sent_frames": self.ws_sent_frames,
            "cache_hits": self.cache_hits,
            "by_source": {"websocket (app messages)": self.ws_bytes, **self.by_source},
        }


class ByteMeter:
    """Adds CDP Network events to the tally of the current window (see `window`)."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}
        self.current = self.window("before")
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()
        self.websocket_extensions: list[str] = []

    def window(self, name: str) -> Tally:
        """Start counting into the window `name` (a new or an existing one) and return it."""
        self.current = self.tallies.setdefault(name, Tally())
        return self.current

    def on_request(self, params: dict[str, Any]) -> None:
        """Network.requestWillBeSent: remember the URL of the request."""
        self.urls[params["requestId"]] = params["request"]["url"]

    def on_served_from_cache(self, params: dict[str, Any]) -> None:
        """Network.requestServedFromCache: the response comes from the browser's memory cache."""
        self.cached.add(params["requestId"])

    def on_response(self, params: dict[str, Any]) -> None:
        """Network.responseReceived: note a response taken from the disk or prefetch cache."""
        response = params.get("response", {})
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(params["requestId"])

    def on_loading_finished(self, params: dict[str, Any]) -> None:
        """Network.loadingFinished: a whole response has arrived (from the cache: 0 bytes)."""
        if params["requestId"] in self.cached:
            self.current.cache_hits += 1
            return
        size = int(params.get("encodedDataLength", 0))
        url = self.urls.get(params["requestId"], "?")
        self.current.http_bytes += size
        self.current.http_responses += 1
        self.current.urls.append(url)
        source = byte_source(url)
        self.current.by_source[source] = self.current.by_source.get(source, 0) + size

    def on_handshake(self, params: dict[str, Any]) -> None:
        """Network.webSocketHandshakeResponseReceived: note a negotiated compression."""
        headers = {key.lower(): value for key, value in params["response"]["headers"].items()}
        if headers.get("sec-websocket-extensions"):
            self.websocket_extensions.append(headers["sec-websocket-extensions"])

    def on_frame_received(self, params: dict[str, Any]) -> None:
        """Network.webSocketFrameReceived."""
        self.current.ws_bytes += websocket_payload_bytes(params["response"])
        self.current.ws_frames += 1

    def on_frame_sent(self, params: dict[str, Any]) -> None:
        """Network.webSocketFrameSent."""
        self.current.ws_sent_bytes += websocket_payload_bytes(params["response"])
        self.current.ws_sent_frames += 1

    def attach(self, cdp: Any) -> "ByteMeter":
        """Subscribe to a Playwright CDPSession and enable its Network domain."""
        cdp.on("Network.requestWillBeSent", self.on_request)
        cdp.on("Network.loadingFinished", self.on_loading_finished)
        cdp.on("Network.webSocketFrameReceived", self.on_frame_received)
        cdp.on("Network.webSocketFrameSent", self.on_frame_sent)
        cdp.on("Network.webSocketHandshakeResponseReceived", self.on_handshake)
        cdp.send("Network.enable")
        return self

    def attach_cache(self, cdp: Any) -> "ByteMeter":
        """Also note the responses taken from the browser's cache (for a repeat visit), from a
        second CDPSession of the same page; the main benchmark's sessions leave this off, so
        its event traffic, and its timing, is what it was."""
        cdp.on("Network.requestServedFromCache", self.on_served_from_cache)
        cdp.on("Network.responseReceived", self.on_response)
        cdp.send("Network.enable")
        return self


def rate_summary(latencies_s: Sequence[float], elapsed_s: float, errors: int) -> dict[str, Any]:
    """Answers per second, median and p95 latency (ms) of a load run against one URL.

    `latencies_s` holds one wall time per successful answer (request sent to body read),
    `elapsed_s` the run's wall time from the first request to the last answer, all clients
    together; `errors` the answers that failed (not in the latencies).
    """
    if elapsed_s <= 0:
        raise ValueError(f"elapsed time {elapsed_s} s is not positive")
    answers = len(latencies_s)
    ms = [value * 1000 for value in latencies_s]
    return {
        "answers": answers,
        "errors": errors,
        "seconds": elapsed_s,
        "answers_per_s": answers / elapsed_s,
        "median_ms": median(ms) if ms else None,
        "p95_ms": percentile(ms, 0.95) if ms else None,
    }
