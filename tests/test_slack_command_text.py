"""Parsing what people type after /dialog."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.errors import InvalidInput
from bot.slack.command_text import (
    ChannelByName,
    parse_round_id,
    parse_start,
    split_command,
)

TZ = "Europe/Stockholm"


def test_the_example_from_the_issue() -> None:
    args = parse_start(
        'avstamning enheter:"Socialförvaltningen" kanal:<#C0LEDNING|ledning> deadline:2027-05-15',
        TZ,
    )
    assert args.template == "avstamning"
    assert args.units == ["Socialförvaltningen"]
    assert args.level == "enhet"
    assert args.channel == "C0LEDNING"
    assert args.deadline_at == datetime(2027, 5, 15, 15, 0, tzinfo=UTC)  # 17:00 CEST


def test_units_keys_choose_the_level_and_units_means_the_whole_subtree() -> None:
    assert parse_start("avstamning avdelningar:Socialförvaltningen", TZ).level == "avdelning"
    assert parse_start("avstamning förvaltningar:Kommunstyrelsen", TZ).level == "forvaltning"
    whole = parse_start('resultat units:"Äldreomsorg, Individ- och familjeomsorg"', TZ)
    assert (whole.level, whole.units) == (None, ["Äldreomsorg", "Individ- och familjeomsorg"])


def test_options_in_swedish_and_english_with_smart_quotes() -> None:
    args = parse_start(
        "mall:planering units:“Barn och unga” anonym:ja lang:en leverans:dm titel:'Vår plan'",
        TZ,
    )
    assert (args.template, args.units, args.anonymous, args.lang, args.delivery, args.title) == (
        "planering",
        ["Barn och unga"],
        True,
        "en",
        "dm",
        "Vår plan",
    )
    assert parse_start("avstamning units:X channel:C0123456", TZ).channel == "C0123456"


def test_deadline_in_winter_is_17_cet() -> None:
    args = parse_start("avstamning units:X deadline:2027-12-01", TZ)
    assert args.deadline_at == datetime(2027, 12, 1, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        'avstamning enheter:"oavslutat',
        "avstamning",
        'enheter:"X"',
        "avstamning units:X okand:1",
        "avstamning units:X anonym:kanske",
        "avstamning units:X lang:de",
        "avstamning units:X enheter:Y",
        "avstamning units:X deadline:igår",
    ],
)
def test_bad_input_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_start(text, TZ)


def test_channel_by_name_asks_for_the_picker() -> None:
    with pytest.raises(ChannelByName) as err:
        parse_start("avstamning units:X kanal:#ledning", TZ)
    assert err.value.key == "slack.channel_by_name"
    assert err.value.params == {"name": "#ledning"}


def test_sub_commands_and_round_ids() -> None:
    assert split_command("Stäng 4").action == "close"
    assert split_command("påminn").action == "remind"
    assert split_command("mina").action == "mine"
    assert split_command("gör något").action == "help"
    assert split_command("").action == "help"
    assert parse_round_id("#7") == 7
    assert parse_round_id("") is None
    with pytest.raises(InvalidInput):
        parse_round_id("sju")
