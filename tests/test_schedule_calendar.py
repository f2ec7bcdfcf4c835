"""Business days, business moments and DST handling of bot.schedule.calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.schedule.calendar import (
    STOCKHOLM,
    is_business_day,
    local_moment,
    next_business_day,
    next_business_moment,
    previous_business_day,
    to_utc,
)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2027, 1, 1), "nyårsdagen"),
        (date(2027, 1, 6), "trettondedag jul"),
        (date(2027, 3, 26), "långfredagen"),
        (date(2027, 3, 29), "annandag påsk"),
        (date(2027, 5, 6), "Kristi himmelsfärdsdag"),
        (date(2028, 5, 1), "första maj (a Monday in 2028)"),
        (date(2028, 6, 6), "nationaldagen (a Tuesday in 2028)"),
        (date(2027, 6, 25), "midsommarafton"),
        (date(2027, 12, 24), "julafton"),
        (date(2027, 12, 31), "nyårsafton"),
        (date(2026, 12, 25), "juldagen"),
        (date(2026, 12, 26), "annandag jul (a Saturday)"),
        (date(2027, 5, 8), "a Saturday"),
        (date(2027, 5, 9), "a Sunday"),
    ],
)
def test_non_business_days(day: date, why: str) -> None:
    assert not is_business_day(day), why


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 5, 3),  # an ordinary Monday
        date(2027, 5, 7),  # klämdag after Kristi himmelsfärd: a working day
        date(2027, 5, 17),  # annandag pingst is no longer a holiday
        date(2027, 1, 5),  # trettondagsafton
        date(2027, 3, 25),  # skärtorsdagen
        date(2027, 6, 24),  # the Thursday before midsommarafton
    ],
)
def test_business_days(day: date) -> None:
    assert is_business_day(day)


def test_datetime_counts_by_its_date() -> None:
    assert not is_business_day(datetime(2027, 6, 25, 10, 0))


def test_next_and_previous_business_day() -> None:
    # Långfredagen, påskafton, påskdagen, annandag påsk -> tisdag 30 mars.
    assert next_business_day(date(2027, 3, 25)) == date(2027, 3, 30)
    assert next_business_day(date(2027, 3, 26), inclusive=True) == date(2027, 3, 30)
    assert next_business_day(date(2027, 3, 30), inclusive=True) == date(2027, 3, 30)
    # Back from annandag påsk to skärtorsdagen.
    assert previous_business_day(date(2027, 3, 29)) == date(2027, 3, 25)
    assert previous_business_day(date(2027, 5, 9), inclusive=True) == date(2027, 5, 7)
    assert previous_business_day(date(2027, 5, 7), inclusive=True) == date(2027, 5, 7)
    # Nyårsafton 2027 (Friday) -> nyårsdagen is a Saturday -> Monday 3 January 2028.
    assert next_business_day(date(2027, 12, 30)) == date(2028, 1, 3)


def test_local_nine_is_eight_utc_in_winter_and_seven_in_summer() -> None:
    assert local_moment(date(2027, 1, 15), 9).astimezone(UTC) == datetime(
        2027, 1, 15, 8, 0, tzinfo=UTC
    )
    assert local_moment(date(2027, 7, 15), 9).astimezone(UTC) == datetime(
        2027, 7, 15, 7, 0, tzinfo=UTC
    )


def test_dst_week_of_last_sunday_in_march() -> None:
    # Spring forward on Sunday 28 March 2027.
    assert local_moment(date(2027, 3, 26), 9).astimezone(UTC) == datetime(
        2027, 3, 26, 8, 0, tzinfo=UTC
    )
    assert local_moment(date(2027, 3, 29), 9).astimezone(UTC) == datetime(
        2027, 3, 29, 7, 0, tzinfo=UTC
    )


def test_dst_week_of_last_sunday_in_october() -> None:
    # Fall back on Sunday 31 October 2027.
    assert local_moment(date(2027, 10, 29), 9).astimezone(UTC) == datetime(
        2027, 10, 29, 7, 0, tzinfo=UTC
    )
    assert local_moment(date(2027, 11, 1), 9).astimezone(UTC) == datetime(
        2027, 11, 1, 8, 0, tzinfo=UTC
    )


def test_nonexistent_local_time_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist on 28 March 2027; it becomes 03:30 CEST = 01:30 UTC.
    moment = local_moment(date(2027, 3, 28), 2, minute=30)
    assert (moment.hour, moment.minute) == (3, 30)
    assert moment.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_ambiguous_local_time_takes_first_occurrence() -> None:
    # 02:30 happens twice on 31 October 2027; the first (CEST) is 00:30 UTC.
    moment = local_moment(date(2027, 10, 31), 2, minute=30)
    assert moment.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_to_utc_reads_naive_as_local_wall_time() -> None:
    assert to_utc(datetime(2027, 6, 1, 9, 0)) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    aware = datetime(2027, 6, 1, 9, 0, tzinfo=STOCKHOLM)
    assert to_utc(aware) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)


class TestNextBusinessMoment:
    def test_inside_window_is_unchanged(self) -> None:
        moment = datetime(2027, 5, 3, 10, 15, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 5, 3, 8, 15, tzinfo=UTC)

    def test_early_morning_moves_to_send_hour(self) -> None:
        moment = datetime(2027, 5, 3, 6, 0, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 5, 3, 7, 0, tzinfo=UTC)

    def test_exactly_send_hour_is_unchanged(self) -> None:
        moment = datetime(2027, 5, 3, 9, 0, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 5, 3, 7, 0, tzinfo=UTC)

    def test_evening_rolls_to_next_business_day(self) -> None:
        # Wednesday 5 May 17:30 -> Thursday is Kristi himmelsfärd -> Friday 7 May 09:00.
        moment = datetime(2027, 5, 5, 17, 30, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 5, 7, 7, 0, tzinfo=UTC)

    def test_end_of_window_is_exclusive(self) -> None:
        moment = datetime(2027, 5, 3, 17, 0, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 5, 4, 7, 0, tzinfo=UTC)

    def test_weekend_rolls_to_monday_across_dst(self) -> None:
        # Friday 26 March 2027 is långfredagen; Easter weekend; DST starts Sunday 28 March.
        moment = datetime(2027, 3, 25, 20, 0, tzinfo=STOCKHOLM)
        assert next_business_moment(moment, 9) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)

    def test_utc_input_is_converted_to_local(self) -> None:
        # 23:30 UTC on Sunday 31 Oct is 00:30 CET Monday 1 Nov -> 09:00 CET = 08:00 UTC.
        moment = datetime(2027, 10, 31, 23, 30, tzinfo=UTC)
        assert next_business_moment(moment, 9) == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)

    def test_naive_input_is_local_wall_time(self) -> None:
        assert next_business_moment(datetime(2027, 6, 25, 9, 0), 9) == datetime(
            2027, 6, 28, 7, 0, tzinfo=UTC
        )

    def test_returns_utc(self) -> None:
        result = next_business_moment(datetime(2027, 5, 3, 12, 0, tzinfo=STOCKHOLM))
        assert result.tzinfo is UTC

    def test_rejects_empty_window(self) -> None:
        with pytest.raises(ValueError, match="send_hour < end_hour"):
            next_business_moment(datetime(2027, 5, 3, 12, 0), 17, end_hour=9)
