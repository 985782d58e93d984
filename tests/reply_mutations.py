"""Ways a server's reply goes wrong, for fuzzing the clients that read them.

Generic on purpose (no protocol in here): a JSON value or a body of bytes goes
in, a broken one comes out. Each protocol test server decides where to apply
them (which endpoint, which WebSocket message) and how to deliver the
transport kinds (a truncated body, a closed socket, a slow body).

The choices inside a mutation (which field, which wrong value) come from a
`random.Random`, so that a property test draws only the kind, the place and a
seed, and a failing example is replayed exactly.
"""

from __future__ import annotations

import random
from typing import Any

# Changes to the JSON value itself.
JSON_KINDS = ("wrong_type", "missing_field", "extra_field", "huge_value", "empty_value")
# Changes to how the body arrives: half of it, none of it (the connection closes), or slowly.
TRANSPORT_KINDS = ("truncated_body", "closed_socket", "slow_body")
KINDS = JSON_KINDS + TRANSPORT_KINDS

HUGE_TEXT_CHARS = 200_000
_ANY = object()  # no replacement given
SLOW_BODY_PAUSE_S = 0.05  # between the two halves of a slow body: slow, yet no test waits long on it

_WRONG_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 1.5, 2**70, float("inf"), float("nan"), "", "text", "12", [], [1, "a"], {}, {"a": 1},
)


def mutate_json(value: Any, kind: str, rng: random.Random, at: tuple | None = None, replacement: Any = _ANY) -> Any:
    """`value` with one place in it (the whole, or a field or item at any depth) changed as `kind` says.

    The place is drawn depth first, then among the places at that depth (so that a reply's few
    top fields are hit as often as the many leaves of a big graph inside it), or is `at`: a path
    of keys and indexes, "*" matching any key (the value is left as it is where `at` is absent).
    `replacement`, when given, is the new value for wrong_type, huge_value and empty_value.
    """
    if kind not in JSON_KINDS:
        raise ValueError(f"{kind} is not a change to a JSON value")
    if at is None:
        by_depth: dict[int, list[tuple]] = {}
        for place in _places(value, ()):
            by_depth.setdefault(len(place), []).append(place)
        path = rng.choice(by_depth[rng.choice(sorted(by_depth))])
    else:
        found = _find(value, at)
        if found is None:
            return value
        path = found
    if kind == "missing_field":
        return _remove(value, path) if path else _empty_like(value)
    if replacement is not _ANY and kind != "extra_field":
        return _replace(value, path, lambda old: replacement)
    return _replace(value, path, lambda old: _changed(old, kind, rng))


def mutate_bytes(body: bytes, kind: str, rng: random.Random) -> bytes:
    """A body of bytes (a file, a binary frame) broken as `kind` says; transport kinds give what arrives."""
    if kind in ("truncated_body", "closed_socket"):
        return body[: rng.randrange(len(body))] if body else b""
    if kind == "empty_value" or kind == "missing_field":
        return b"" if kind == "empty_value" or len(body) < 2 else body[: len(body) // 3] + body[2 * len(body) // 3 :]
    if kind == "wrong_type":
        return rng.randbytes(max(1, len(body)))
    if kind == "extra_field":
        cut = rng.randrange(len(body) + 1)
        return body[:cut] + rng.randbytes(rng.randrange(1, 64)) + body[cut:]
    if kind == "huge_value":
        return body + rng.randbytes(1024) * 1024  # a megabyte more than announced
    return body  # slow_body: the same bytes, delivered slowly by the server


def truncate_text(text: str, rng: random.Random) -> str:
    """A text body (JSON) cut somewhere before its end."""
    return text[: rng.randrange(len(text))] if text else ""


def _find(value: Any, pattern: tuple) -> tuple | None:
    """The first concrete path in `value` that `pattern` ("*" for any key) matches, or None."""
    if not pattern:
        return ()
    head, rest = pattern[0], pattern[1:]
    if isinstance(value, dict):
        keys = list(value) if head == "*" else [head] if head in value else []
    elif isinstance(value, list):
        keys = list(range(len(value))) if head == "*" else [head] if isinstance(head, int) and -len(value) <= head < len(value) else []
    else:
        keys = []
    for key in keys:
        below = _find(value[key], rest)
        if below is not None:
            return (key, *below)
    return None


def _places(value: Any, path: tuple) -> Any:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _replace(value: Any, path: tuple, change: Any) -> Any:
    if not path:
        return change(value)
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, change)}
    copy = list(value)
    copy[head] = _replace(value[head], rest, change)
    return copy


def _remove(value: Any, path: tuple) -> Any:
    head, rest = path[0], path[1:]
    if rest:
        return _replace(value, (head,), lambda inner: _remove(inner, rest))
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key != head}
    return [item for index, item in enumerate(value) if index != head]


def _changed(old: Any, kind: str, rng: random.Random) -> Any:
    if kind == "wrong_type":
        return rng.choice([wrong for wrong in _WRONG_VALUES if type(wrong) is not type(old)])
    if kind == "extra_field":
        if isinstance(old, dict):
            return {**old, f"extra_{rng.randrange(1000)}": rng.choice(_WRONG_VALUES)}
        if isinstance(old, list):
            return [*old, rng.choice(_WRONG_VALUES)]
        return [old, rng.choice(_WRONG_VALUES)]  # a value where one was expected becomes a list of two
    if kind == "huge_value":
        return rng.choice(("x" * HUGE_TEXT_CHARS, 10**400 // 10**380, [old] * 10_000, -(2**63), 1e308))
    return _empty_like(old)  # empty_value


def _empty_like(old: Any) -> Any:
    if isinstance(old, bool):
        return False
    if isinstance(old, (int, float)):
        return 0
    return type(old)() if isinstance(old, (str, list, dict)) else None
