"""Every request body refuses unknown fields (issue 4: strict input validation)."""

from __future__ import annotations

import inspect

import msgspec
import pytest

from interfaces.http.accounts import schemas

INPUTS = [
    obj
    for name, obj in inspect.getmembers(schemas, inspect.isclass)
    if issubclass(obj, msgspec.Struct) and name.endswith("In")
]


def test_there_are_input_schemas() -> None:
    assert len(INPUTS) >= 8


@pytest.mark.parametrize("schema", INPUTS, ids=lambda s: s.__name__)
def test_input_schema_forbids_unknown_fields(schema: type[msgspec.Struct]) -> None:
    assert schema.__struct_config__.forbid_unknown_fields
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"definitely_not_a_field": 1}', type=schema)
