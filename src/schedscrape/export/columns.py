"""Column names and types, derived from the pydantic models (the single source of both)."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel

if TYPE_CHECKING:
    import pyarrow as pa


def columns(model: type[BaseModel]) -> list[str]:
    """The model's fields, in declaration order: the order of every output file."""
    return list(model.model_fields)


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """An explicit Arrow schema: lists as list<string>, times as UTC timestamps."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, _arrow_type(field.annotation), nullable=True)
            for name, field in model.model_fields.items()
        ]
    )


def _arrow_type(annotation: object) -> pa.DataType:
    import pyarrow as pa

    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _arrow_type(inner)
    if origin is list:
        return pa.list_(_arrow_type(typing.get_args(annotation)[0]))
    if origin is typing.Literal or annotation is str:
        return pa.string()
    if annotation is int:
        return pa.int64()
    if annotation is bool:
        return pa.bool_()
    if annotation in (AwareDatetime, datetime):
        return pa.timestamp("us", tz="UTC")
    raise TypeError(f"no Arrow type for {annotation!r}")
