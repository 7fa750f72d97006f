from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from interview_monitor.request_model import RequestModel


class _Body(RequestModel):
    title: str | None = None
    phrases: list[str] = Field(default_factory=list)
    count: int = 0


@pytest.mark.parametrize(
    ("fields", "field"), [({"title": "a\x00b"}, "title"), ({"phrases": ["ok", "\x00"]}, "phrases")]
)
def test_a_nul_character_is_refused_naming_its_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Body.model_validate(fields)
    [error] = refused.value.errors()
    assert error["loc"] == (field,) and "NUL" in error["msg"]


def test_other_values_and_unknown_fields() -> None:
    assert _Body.model_validate({"title": "fine", "phrases": ["a"], "count": 3}).count == 3
    with pytest.raises(ValidationError, match="extra"):
        _Body.model_validate({"colour": "red"})
