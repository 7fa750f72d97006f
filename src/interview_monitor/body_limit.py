"""A request body over the limit is refused before it is read: 413, naming the header."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# The largest legitimate body is a batch of 5,000 events; 32 MB leaves room for long texts.
MAX_BODY_BYTES = 32 * 1024 * 1024


class BodySizeLimit:
    """Checks the declared Content-Length, so an unauthenticated client cannot make the server
    read (and hold) a huge body before it is refused. A body sent without a length (chunked)
    is left to the endpoints' own limits."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
                message = f"the request body is over {self.max_bytes} bytes"
                response = JSONResponse(
                    {
                        "detail": [
                            {
                                "loc": ["header", "content-length"],
                                "msg": message,
                                "type": "too_large",
                            }
                        ]
                    },
                    status_code=413,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
