"""Mutations of a page for the fuzz tests: cuts, repeats, insertions of markup, truncation."""

from hypothesis import strategies as st


def mutate(draw, data: bytes, markup: list[bytes]) -> bytes:
    """`data` changed one to six times, each at a drawn place: a span deleted or repeated, a
    piece of `markup` inserted, or the rest cut off (a download that stopped)."""
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 400)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
        if action == "delete":
            data = data[:start] + data[end:]
        elif action == "duplicate":
            data = data[:end] + data[start:end] + data[end:]
        elif action == "insert":
            data = data[:start] + draw(st.sampled_from(markup)) + data[start:]
        else:
            data = data[:start]
    return data
