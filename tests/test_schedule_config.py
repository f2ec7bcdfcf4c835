"""Loading and validating annual schedules (bot.schedule.config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.schedule.config import (
    AnnualSchedule,
    load_preset,
    load_schedule,
    parse_days,
    preset_path,
)
from bot.schedule.errors import ScheduleError

LEVELS = {"kommunfullmaktige", "kommunstyrelse", "namnd", "forvaltning", "avdelning", "enhet"}

VALID_ROUND = """\
  - key: avstamning-t1
    template: avstamning
    name: "Avstämningsdialog nämnd ↔ förvaltning (tertial 1)"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
    deadline: 14d
    anonymous: false
"""


def write(tmp_path: Path, text: str, name: str = "schedule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def round_yaml(**overrides: str) -> str:
    fields = {
        "key": "r",
        "template": "avstamning",
        "name": "Omgång",
        "answering_level": "forvaltning",
        "receiving_level": "namnd",
        "rrule": '"FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"',
        "deadline": "14d",
    }
    fields.update(overrides)
    lines = [f"    {key}: {value}" for key, value in fields.items() if value != "<omit>"]
    return "  - " + "\n".join(lines)[4:] + "\n"


def error_for(tmp_path: Path, text: str) -> ScheduleError:
    path = write(tmp_path, text)
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)
    return info.value


def sv(error: ScheduleError) -> str:
    """The error as the command line prints it by default (Swedish)."""
    return "\n".join(error.messages("sv"))


def en(error: ScheduleError) -> str:
    """The error as the command line prints it with ``--lang en``."""
    return "\n".join(error.messages("en"))


# --- valid files ------------------------------------------------------------------------


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, "rounds:\n" + VALID_ROUND))
    assert schedule.timezone == "Europe/Stockholm"
    assert schedule.tz.key == "Europe/Stockholm"
    assert schedule.country == "SE"
    assert schedule.send_hour == 9
    assert schedule.deadline_hour == 17
    assert schedule.reminders == (7, 2, 0)
    (round_,) = schedule.rounds
    assert round_.key == "avstamning-t1"
    assert round_.deadline == 14
    assert round_.anonymous is False
    assert schedule.round("avstamning-t1") is round_


def test_iso_reminders_and_options(tmp_path: Path) -> None:
    text = (
        "timezone: Europe/Helsinki\nsend_hour: 8\ncountry: fi\n"
        "reminders: [P7D, P2D, P0D]\nrounds:\n" + VALID_ROUND.replace("14d", "P2W")
    )
    schedule = load_schedule(write(tmp_path, text))
    assert schedule.timezone == "Europe/Helsinki"
    assert schedule.country == "FI"
    assert schedule.send_hour == 8
    assert schedule.reminders == (7, 2, 0)
    assert schedule.rounds[0].deadline == 14


def test_rrule_prefix_is_stripped(tmp_path: Path) -> None:
    text = "rounds:\n" + round_yaml(rrule='"RRULE:FREQ=WEEKLY;BYDAY=MO,TH"')
    assert load_schedule(write(tmp_path, text)).rounds[0].rrule == "FREQ=WEEKLY;BYDAY=MO,TH"


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("14d", 14),
        ("2w", 14),
        ("2W", 14),
        ("P14D", 14),
        ("P2W", 14),
        ("P1W3D", 10),
        ("0d", 0),
        (3, 3),
    ],
)
def test_parse_days(value: object, days: int) -> None:
    assert parse_days(value) == days


@pytest.mark.parametrize("value", ["14", "PT12H", "P1M", "two weeks", "-1d", -1, True, 1.5, None])
def test_parse_days_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="bad duration"):
        parse_days(value)


def test_preset_loads_and_uses_the_standard_levels() -> None:
    schedule = load_preset()
    assert isinstance(schedule, AnnualSchedule)
    assert len(schedule.rounds) == 10
    for round_ in schedule.rounds:
        assert {round_.answering_level, round_.receiving_level} <= LEVELS
    templates = {round_.template for round_ in schedule.rounds}
    assert templates == {"resultat", "planering", "avstamning"}
    pairs = {(r.answering_level, r.receiving_level) for r in schedule.rounds}
    assert pairs == {
        ("forvaltning", "namnd"),
        ("namnd", "kommunstyrelse"),
        ("avdelning", "forvaltning"),
        ("enhet", "avdelning"),
    }


def test_preset_path_is_a_loadable_file() -> None:
    path = preset_path()
    assert path.name == "preset_arsschema.yaml"
    assert path.is_file()
    assert load_schedule(path) == load_preset()


# --- malformed files: file, field path and expectation in the message ------------------


def test_bad_rrule_names_file_field_and_expectation(tmp_path: Path) -> None:
    text = (
        "rounds:\n"
        + round_yaml(key="a")
        + round_yaml(key="b")
        + round_yaml(key="c", rrule='"FREQ=YEARLY;BYMNTH=5"')
    )
    error = error_for(tmp_path, text)
    assert error.fields == ("rounds[2].rrule",)
    message = sv(error)
    assert message.startswith(f"{tmp_path / 'schedule.yaml'}: rounds[2].rrule: ")
    assert "ogiltig rrule-text 'FREQ=YEARLY;BYMNTH=5'" in message
    assert "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO" in message  # an example of what is expected
    message = en(error)
    assert message.startswith(f"{tmp_path / 'schedule.yaml'}: rounds[2].rrule: ")
    assert "invalid rrule text 'FREQ=YEARLY;BYMNTH=5'" in message
    assert "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO" in message
    assert str(error) == message


@pytest.mark.parametrize(
    ("rrule", "swedish", "english"),
    [
        ('"FREQ=YEARLY;COUNT=3"', "COUNT stöds inte", "COUNT is not supported"),
        (
            '"DTSTART:20270101T000000\\nRRULE:FREQ=YEARLY"',
            "en enda RRULE-rad",
            "single RRULE line",
        ),
        (
            '"FREQ=HOURLY"',
            "FREQ ska vara YEARLY, MONTHLY, WEEKLY eller DAILY",
            "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY",
        ),
        (
            '"FREQ=YEARLY;BYMONTH=13"',
            "BYMONTH-värdet 13 ligger utanför det tillåtna intervallet (1..12)",
            "BYMONTH value 13 is out of range (expected 1..12)",
        ),
        (
            '"FREQ=YEARLY;BYHOUR=9"',
            "BYHOUR är inte tillåtet; tiden på dagen kommer från send_hour",
            "BYHOUR is not allowed; the time of day comes from send_hour",
        ),
        (
            '"FREQ=YEARLY;UNTIL=20300101T000000Z"',
            "UNTIL ska vara ett lokalt datum",
            "UNTIL must be a local date",
        ),
        ('"EVERY MAY"', "ogiltig rrule-text 'EVERY MAY'", "invalid rrule text 'EVERY MAY'"),
        ("''", "väntade en RFC 5545-regel", "expected an RFC 5545 rule"),
    ],
)
def test_rrule_errors(tmp_path: Path, rrule: str, swedish: str, english: str) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(rrule=rrule))
    assert error.fields == ("rounds[0].rrule",)
    assert swedish in sv(error)
    assert english in en(error)


def test_unknown_timezone(tmp_path: Path) -> None:
    error = error_for(tmp_path, "timezone: Europe/Stokholm\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("timezone",)
    assert "okänd tidszon 'Europe/Stokholm'" in sv(error)
    assert "IANA" in sv(error)
    assert "unknown timezone 'Europe/Stokholm'" in en(error)
    assert "IANA" in en(error)


def test_bad_duration(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(deadline='"2 weeks"'))
    assert error.fields == ("rounds[0].deadline",)
    assert "ogiltig tidslängd '2 weeks'" in sv(error)
    assert "'14d', '2w', 'P14D'" in sv(error)
    assert "bad duration '2 weeks'" in en(error)
    assert "'14d', '2w', 'P14D'" in en(error)


def test_bad_reminder_duration(tmp_path: Path) -> None:
    error = error_for(tmp_path, "reminders: [7d, PT2H]\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("reminders[1]",)
    assert "reminders[1]: ogiltig tidslängd 'PT2H'" in sv(error)
    assert "reminders[1]: bad duration 'PT2H'" in en(error)


def test_reminders_must_be_a_list(tmp_path: Path) -> None:
    error = error_for(tmp_path, "reminders: 7d\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("reminders",)
    assert "väntade en lista med tidslängder" in sv(error)
    assert "expected a list of durations" in en(error)


def test_deadline_too_long_or_zero(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(deadline="400d"))
    assert error.fields == ("rounds[0].deadline",)
    assert "ska vara högst 365 (fick '400d')" in sv(error)
    assert "less than or equal to 365 (got '400d')" in en(error)
    error = error_for(tmp_path, "rounds:\n" + round_yaml(deadline="0d"))
    assert error.fields == ("rounds[0].deadline",)
    assert "ska vara minst 1 (fick '0d')" in sv(error)
    assert "greater than or equal to 1 (got '0d')" in en(error)


def test_unknown_field_lists_allowed_fields(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(colour="red"))
    assert error.fields == ("rounds[0].colour",)
    assert "okänt fält" in sv(error)
    assert "answering_level" in sv(error)
    assert "unknown field" in en(error)
    assert "answering_level" in en(error)


def test_unknown_top_level_field(tmp_path: Path) -> None:
    error = error_for(tmp_path, "timezon: Europe/Stockholm\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("timezon",)
    assert "tillåtna: timezone" in sv(error)
    assert "expected one of: timezone" in en(error)


def test_missing_field(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(rrule="<omit>"))
    assert error.fields == ("rounds[0].rrule",)
    assert "obligatoriskt fält saknas" in sv(error)
    assert "required field is missing" in en(error)


def test_bad_key_and_levels(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml(template="Avstämning"))
    assert error.fields == ("rounds[0].template",)
    assert "gemena bokstäver" in sv(error)
    assert "lower-case letters" in en(error)
    error = error_for(tmp_path, "rounds:\n" + round_yaml(receiving_level="forvaltning"))
    assert error.fields == ("rounds[0]",)
    assert "två olika nivåer" in sv(error)
    assert "two different levels" in en(error)


def test_duplicate_round_keys(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds:\n" + round_yaml() + round_yaml())
    assert error.fields == ("rounds",)
    assert "rundnyckeln 'r' finns flera gånger" in sv(error)
    assert "duplicate round key 'r'" in en(error)


def test_hours(tmp_path: Path) -> None:
    error = error_for(tmp_path, "send_hour: 24\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("send_hour",)
    error = error_for(tmp_path, "send_hour: 17\nrounds:\n" + VALID_ROUND)
    assert "send_hour (17) måste vara tidigare än deadline_hour (17)" in sv(error)
    assert "send_hour (17) must be earlier than deadline_hour (17)" in en(error)


def test_unknown_country(tmp_path: Path) -> None:
    error = error_for(tmp_path, "country: XX\nrounds:\n" + VALID_ROUND)
    assert error.fields == ("country",)
    assert "okänt land för helgdagar 'XX'" in sv(error)
    assert "unknown holiday country 'XX'" in en(error)


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = (
        "timezone: Mars/Olympus\nrounds:\n"
        + round_yaml(key="a", rrule='"nope"')
        + round_yaml(key="b", deadline="soon")
    )
    error = error_for(tmp_path, text)
    assert error.fields == ("timezone", "rounds[0].rrule", "rounds[1].deadline")
    lines = error.messages("sv")
    assert "3 problem i årsschemat" in lines[0]
    assert all(str(tmp_path / "schedule.yaml") in line for line in lines)
    lines = error.messages("en")
    assert "3 problems in annual schedule" in lines[0]
    assert all(str(tmp_path / "schedule.yaml") in line for line in lines)


def test_invalid_yaml(tmp_path: Path) -> None:
    error = error_for(tmp_path, "rounds: [\n  - key: a\n")
    assert error.fields == ("<document>",)
    assert "inte giltig YAML på rad" in sv(error)
    assert "not valid YAML at line" in en(error)


@pytest.mark.parametrize(
    ("text", "swedish", "english"),
    [("", "årsschemat är tomt", "empty"), ("- 1\n- 2\n", "en mappning", "mapping")],
)
def test_document_shape(tmp_path: Path, text: str, swedish: str, english: str) -> None:
    error = error_for(tmp_path, text)
    assert error.fields == ("<document>",)
    assert swedish in sv(error)
    assert english in en(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScheduleError, match="cannot read file") as info:
        load_schedule(path)
    assert str(path) in str(info.value)
    assert info.value.messages("sv") == [f"{path}: filen går inte att läsa: den finns inte"]
    assert info.value.messages("en") == [f"{path}: cannot read file: it does not exist"]
