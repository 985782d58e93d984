"""Mutations of a server's answers, for fuzzing the clients that read them.

A body mutation is a function of the answer's bytes (the test servers' `mutate_next` takes
one): `body_mutation(kind, rng)` picks, with a seeded random.Random (hypothesis draws the
seed), which part of a JSON answer to break and how. Media bodies (not JSON) get their
bytes broken instead. The transport faults ("truncated", "closed", "slow") are the test
servers' own: they are named here so that a fuzz test can draw every kind from one list.

Generic on purpose: nothing here knows a provider. (Written for the cloud servers; the
ComfyUI fuzz has its own tests/reply_mutations.py, to be merged with this one.)
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

BODY_KINDS = ("wrong_type", "missing_field", "extra_field", "huge_value", "empty_value", "not_json")
TRANSPORT_KINDS = ("truncated", "closed", "slow")
KINDS = BODY_KINDS + TRANSPORT_KINDS

HUGE_TEXT = "x" * (1 << 20)
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
_ODD_VALUES: tuple[Any, ...] = (None, True, 0, -1, 1.5, float("nan"), 10**40, "", "text", [], {}, [1, "a"], {"a": 1})


def mutation(kind: str, rng: random.Random) -> Callable[[bytes], bytes] | str:
    """What `mutate_next` takes for `kind`: a transport fault's name, or a body mutation."""
    return kind if kind in TRANSPORT_KINDS else body_mutation(kind, rng)


def body_mutation(kind: str, rng: random.Random) -> Callable[[bytes], bytes]:
    seed = rng.getrandbits(32)  # the choice is made when the answer is known, the same for a seed

    def mutate(body: bytes) -> bytes:
        choose = random.Random(seed)
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _mutate_bytes(body, kind, choose)
        if kind == "not_json":
            return choose.choice([HTML_PAGE, body[: len(body) // 2], b"", b"null", b"\xff\xfe garbage"])
        return json.dumps(_mutate_json(value, kind, choose)).encode()

    return mutate


def _mutate_bytes(body: bytes, kind: str, rng: random.Random) -> bytes:
    """A media body broken: cut, emptied, replaced by a page, or bytes changed inside."""
    if kind in ("not_json", "wrong_type"):
        return HTML_PAGE
    if kind in ("empty_value", "missing_field"):
        return body[: rng.randrange(0, 16)]
    if kind == "huge_value":
        return body + bytes(rng.getrandbits(8) for _ in range(4096))
    changed = bytearray(body)
    for _ in range(rng.randrange(1, 16)):
        if changed:
            changed[rng.randrange(len(changed))] = rng.getrandbits(8)
    return bytes(changed)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the root is ())."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            found += _places(item, (*path, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _mutate_json(value: Any, kind: str, rng: random.Random) -> Any:
    places = _places(value)
    # Leaves and inner places alike; the root only now and then (a whole answer of another type).
    path = rng.choice(places[1:] or places) if rng.random() > 0.1 else ()
    current = _get(value, path)
    if kind == "wrong_type":
        others = [odd for odd in _ODD_VALUES if type(odd) is not type(current)]
        return _replace(value, path, rng.choice(others))
    if kind == "missing_field":
        containers = [p for p in places if isinstance(_get(value, p), dict) and _get(value, p)]
        if not containers:
            return _replace(value, path, None)
        where = rng.choice(containers)
        inner = dict(_get(value, where))
        inner.pop(rng.choice(list(inner)))
        return _replace(value, where, inner)
    if kind == "extra_field":
        containers = [p for p in places if isinstance(_get(value, p), dict)]
        if not containers:
            return [value, {"extra": 1}]
        where = rng.choice(containers)
        return _replace(value, where, {**_get(value, where), f"extra_{rng.randrange(100)}": rng.choice(_ODD_VALUES)})
    if kind == "huge_value":
        huge = rng.choice([HUGE_TEXT, 10**400 // 10**200, 1e308, list(range(20000)), _deep(400)])
        return _replace(value, path, huge)
    if kind == "empty_value":
        return _replace(value, path, rng.choice(["", [], {}, 0, None]))
    raise ValueError(f"no JSON mutation {kind!r}")


def _deep(levels: int) -> Any:
    nested: Any = "bottom"
    for _ in range(levels):
        nested = {"a": [nested]}
    return nested
