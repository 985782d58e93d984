"""The error bodies every OpenAI-compatible test server answers with, as the real API does:
``{"error": {"message", "type", "param", "code"}}``, 401 ``invalid_api_key`` with the key
masked, and 429 ``rate_limit_exceeded`` with ``Retry-After`` and ``retry-after-ms`` (which
the SDK prefers)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
               413: "invalid_request_error", 429: "requests"}


class OpenAIErrors:
    """Mixed into a CloudServer; `rate_limit_message` says what the 429 names (a model's limit, say)."""

    rate_limit_message = "Rate limit reached for requests. Please try again later."

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        error = {
            "message": message,
            "type": details.pop("type", ERROR_TYPES.get(status, "server_error" if status >= 500 else "api_error")),
            "param": details.pop("param", None),
            "code": details.pop("code", "rate_limit_exceeded" if status == 429 else None),
        }
        return web.json_response({"error": error}, status=status)

    def unauthorized(self, request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        shown = f"{given[:3]}***{given[-4:]}" if len(given) > 8 else given or "None"
        return self.error_response(401, f"Incorrect API key provided: {shown}. You can find your API key at "
                                        "https://platform.openai.com/account/api-keys.", code="invalid_api_key")

    def rate_limited(self, retry_after_s: float) -> web.Response:
        response = self.error_response(429, self.rate_limit_message)
        response.headers["Retry-After"] = f"{retry_after_s:g}"
        response.headers["retry-after-ms"] = str(round(retry_after_s * 1000))
        return response
