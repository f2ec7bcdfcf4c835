"""The absence rules themselves: who answers, and how the command is read."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.absence import (
    AbsenceBook,
    AbsencePeriod,
    AbsenceRequest,
    InvalidAbsence,
    back_at,
    check_period,
    choose_respondent,
    parse_absence_command,
)
from bot.domain.errors import InvalidInput

SUMMER = AbsencePeriod(1, "U0ANNA", "Anna", date(2027, 7, 1), date(2027, 8, 9), "U0BO", "Bo")
BO_AWAY = AbsencePeriod(2, "U0BO", "Bo", date(2027, 7, 15), date(2027, 7, 31))


def test_the_named_deputy_first_then_the_units_then_nobody() -> None:
    book = AbsenceBook((SUMMER, BO_AWAY))
    assert choose_respondent("U0ANNA", "U0CE", book, date(2027, 6, 30)) == ("U0ANNA", False)
    assert choose_respondent("U0ANNA", "U0CE", book, date(2027, 7, 1)) == ("U0BO", True)
    # Bo is away too in the second half of July: the unit's standing deputy answers.
    assert choose_respondent("U0ANNA", "U0CE", book, date(2027, 7, 20)) == ("U0CE", True)
    assert choose_respondent("U0ANNA", None, book, date(2027, 7, 20)) == (None, False)
    assert choose_respondent("U0ANNA", None, book, date(2027, 8, 9)) == ("U0BO", True)
    assert choose_respondent("U0ANNA", None, book, date(2027, 8, 10)) == ("U0ANNA", False)


def test_back_the_morning_after_in_local_time() -> None:
    assert back_at(date(2027, 8, 9)).isoformat() == "2027-08-10T06:00:00+00:00"
    assert back_at(date(2027, 12, 23)).isoformat() == "2027-12-24T07:00:00+00:00"


def test_periods_that_cannot_be_registered() -> None:
    today = date(2027, 6, 1)
    check_period(date(2027, 5, 1), date(2027, 6, 1), today)
    for start, end in [
        (date(2027, 8, 9), date(2027, 7, 1)),
        (date(2027, 1, 1), date(2028, 1, 2)),
        (date(2027, 5, 1), date(2027, 5, 31)),
    ]:
        with pytest.raises(InvalidAbsence):
            check_period(start, end, today)


def test_the_command_words() -> None:
    assert parse_absence_command("") == AbsenceRequest("list")
    assert parse_absence_command("<@U0ANNA|anna>") == AbsenceRequest("list", person="U0ANNA")
    assert parse_absence_command("ta bort 2") == AbsenceRequest("remove", number=2)
    assert parse_absence_command("remove #1") == AbsenceRequest("remove", number=1)
    assert parse_absence_command(
        "<@U0ANNA> 2027-07-01 2027-08-09 ersättare: <@U0BO|bo>"
    ) == AbsenceRequest("add", "U0ANNA", date(2027, 7, 1), date(2027, 8, 9), "U0BO")
    assert parse_absence_command("2027-07-01 2027-08-09 deputy <@U0BO>").deputy == "U0BO"
    for bad in ["2027-07-01", "2027-07-01 2027-08-09 ersättare Bo", "ta bort två", "1/7 9/8"]:
        with pytest.raises(InvalidInput):
            parse_absence_command(bad)
