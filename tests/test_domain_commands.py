"""The start command checks itself, in one place, whichever adapter built it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.commands import MissingField, StartRound
from bot.domain.errors import InvalidInput, TextTooLong
from bot.domain.text_input import REF_MAX, TITLE_MAX
from bot.input_errors import DeadlineInPast

NOW = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)


def test_a_command_is_normalised() -> None:
    cmd = StartRound(
        template=" avstamning ",
        units=[" Äldreomsorg ", " "],
        group_ref="C0LEDNING",
        level=" ",
        title="  Vår runda ",
        anonymous=True,
    )
    assert (cmd.template, tuple(cmd.units), cmd.level) == ("avstamning", ("Äldreomsorg",), None)
    assert cmd.title == "Vår runda"
    assert cmd.delivery == "dm", "anonymous rounds are always delivered privately"


@pytest.mark.parametrize(
    ("fields", "error", "key"),
    [
        ({"template": " "}, MissingField, "error.invalid_input"),
        ({"units": []}, MissingField, "error.invalid_input"),
        ({"lang": "fr"}, InvalidInput, "error.invalid_input"),
        ({"delivery": "post"}, InvalidInput, "error.invalid_input"),
        ({"title": "T" * (TITLE_MAX + 1)}, TextTooLong, "error.too_long.title"),
        ({"group_ref": "C" * (REF_MAX + 1)}, TextTooLong, "error.too_long.group"),
        ({"deadline_at": datetime(2027, 5, 15, 17, 0)}, InvalidInput, "error.invalid_input"),
    ],
)
def test_what_needs_no_database_is_refused_when_built(
    fields: dict[str, object], error: type[Exception], key: str
) -> None:
    values: dict[str, object] = {"template": "avstamning", "units": ["X"], "group_ref": "C1"}
    with pytest.raises(error) as caught:
        StartRound(**{**values, **fields})  # type: ignore[arg-type]
    assert getattr(caught.value, "key", None) == key


def test_the_deadline_must_lie_ahead() -> None:
    ahead = StartRound("avstamning", ["X"], "C1", deadline_at=datetime(2027, 5, 15, 15, tzinfo=UTC))
    assert ahead.checked(NOW, "Europe/Stockholm") is ahead
    assert StartRound("avstamning", ["X"], "C1").checked(NOW, "Europe/Stockholm")
    past = StartRound("avstamning", ["X"], "C1", deadline_at=datetime(2027, 5, 1, 15, tzinfo=UTC))
    with pytest.raises(DeadlineInPast) as caught:
        past.checked(NOW, "Europe/Stockholm")
    assert caught.value.params == {"when": "2027-05-01 17:00"}
    assert caught.value.at == past.deadline_at
