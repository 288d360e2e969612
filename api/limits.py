"""Limits on what a request body may be, checked before anything parses it.

A body nested thousands of levels deep would make the JSON parser recurse until the
C stack overflows, and a body of gigabytes would be held in memory. This ASGI
middleware reads the body first, refuses one larger than :data:`MAX_BODY_BYTES`
with 413 and one nested deeper than :data:`MAX_JSON_DEPTH` with 422 (both RFC 9457
problem details), and hands the routes only bodies within bounds.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import PROBLEM_JSON, problem_type

#: The largest request body accepted (an effect-log batch of 10,000 entries is ~3 MiB).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: The deepest nesting of JSON arrays and objects accepted (our models need about 5).
MAX_JSON_DEPTH = 64

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether ``body``'s arrays and objects nest deeper than ``limit``.

    Brackets inside strings do not count; escapes inside strings are skipped. The
    scan is linear and never recurses, so any input is safe to measure.
    """
    depth = 0
    in_string = False
    escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class BodyLimits:
    """ASGI middleware enforcing :data:`MAX_BODY_BYTES` and :data:`MAX_JSON_DEPTH`."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(scope, send, 413, "Payload too large", self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _refuse(scope, send, 413, "Payload too large", self._too_large())
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if json_depth_exceeds(body, self.max_depth):
            detail = f"the request body nests JSON deeper than {self.max_depth} levels"
            await _refuse(scope, send, 422, "Invalid request", detail)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
    kind = "payload-too-large" if status == 413 else "invalid-request"
    body = json.dumps(
        {
            "type": problem_type(kind),
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
