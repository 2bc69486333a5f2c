"""How messages count things: `1 session`, `2 sessions`, `3 retries`."""

from __future__ import annotations


def plural(number: int, noun: str) -> str:
    """`number` and `noun`, agreeing: `1 page`, `0 pages`, `2 cache hits`, `3 retries`."""
    if number == 1:
        return f"{number} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{number} {noun[:-1]}ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return f"{number} {noun}es"
    return f"{number} {noun}s"
