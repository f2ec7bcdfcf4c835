"""A unit's standing deputy in the organisation file, and ``dialogbot absence``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.org_import import OrgImportError, parse_csv, parse_yaml
from bot.services.container import Services

UNITS_CSV = (
    "key,name,level,parent,managers,deputy\n"
    "hemtjanst-norr,Hemtjänst Norr,enhet,aldreomsorg,U0ENHHTN,U0ENHHTS\n"
)


def _deputy(services: Services, key: str) -> str | None:
    with services.kernel.unit_of_work("local") as uow:
        unit = uow.repo.unit(key)
        assert unit is not None
        return unit.deputy.chat_id if unit.deputy is not None else None


def test_standing_deputy_from_csv_and_yaml(services: Services) -> None:
    services.organisation.import_org("local", parse_csv(UNITS_CSV, "units.csv"), "units.csv")
    assert _deputy(services, "hemtjanst-norr") == "U0ENHHTS"
    yaml = (
        "units:\n"
        "  - {key: hemtjanst-norr, name: Hemtjänst Norr, level: enhet, parent: aldreomsorg,\n"
        "     managers: [U0ENHHTN]}\n"
    )
    services.organisation.import_org("local", parse_yaml(yaml, "org.yaml"), "org.yaml")
    assert _deputy(services, "hemtjanst-norr") is None  # the file is the truth, as for managers


def test_unknown_or_malformed_deputy_rejects_the_file(services: Services) -> None:
    bad = (
        "units:\n"
        "  - {key: hemtjanst-norr, name: Hemtjänst Norr, level: enhet, parent: aldreomsorg,\n"
        "     managers: [U0ENHHTN], deputy: U0NOBODY}\n"
        "  - {key: hemtjanst-syd, name: Hemtjänst Syd, level: enhet, parent: aldreomsorg,\n"
        "     deputy: [U0ENHHTN]}\n"
    )
    with pytest.raises(OrgImportError) as caught:
        parse_yaml(bad, "org.yaml")
    assert caught.value.problems == [
        "enhet 2 under units, fältet deputy: ska vara en text, inte en lista"
    ]
    assert caught.value.messages("en") == [
        "unit 2 under units, field deputy: expected text, got a list"
    ]
    good_shape = bad.replace("deputy: [U0ENHHTN]", "deputy: U0ENHHTN")
    with pytest.raises(OrgImportError) as caught:
        services.organisation.import_org("local", parse_yaml(good_shape, "org.yaml"), "org.yaml")
    assert caught.value.problems == [
        "enhet 1 (Hemtjänst Norr) under units: okänd ersättare 'U0NOBODY' (lägg till hen under people)"
    ]
    assert caught.value.messages("en") == [
        "unit 1 (Hemtjänst Norr) under units: unknown deputy 'U0NOBODY' (add them under people)"
    ]
    assert _deputy(services, "hemtjanst-norr") is None


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    sample = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"
    assert main(["--db", url, "org", "import", str(sample)]) == 0
    return url


def test_absence_add_list_remove_from_the_command_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", db_url, "--lang", "sv", "absence"]
    capsys.readouterr()
    add = [*base, "add", "U0ENHHTN", "2099-07-01", "2099-08-09", "--deputy", "U0ENHHTS"]
    assert main(add) == 0
    assert (
        "Frånvaro registrerad för Anna Andersson: 2099-07-01 – 2099-08-09. "
        "Ersättare: Björn Svensson." in capsys.readouterr().out
    )
    assert main([*base, "list", "U0ENHHTN"]) == 0
    assert "1. 2099-07-01 – 2099-08-09 (ersättare: Björn Svensson)" in capsys.readouterr().out
    assert main([*base, "add", "U0ENHHTN", "2099-08-01", "2099-08-20"]) == 1
    assert "överlappar" in capsys.readouterr().err
    assert main([*base, "add", "U0ENHHTN", "2099-07-01", "2099-08-09", "--by", "U0ENHHTS"]) == 1
    assert "bara processtöd" in capsys.readouterr().err
    assert main([*base, "add", "U0ENHHTN", "1 juli", "2099-08-09"]) == 1
    assert "Ogiltigt värde: 1 juli" in capsys.readouterr().err
    assert main([*base, "remove", "U0ENHHTN", "1"]) == 0
    assert "är borttagen" in capsys.readouterr().out
    assert main([*base, "list", "U0ENHHTN"]) == 0
    assert "Ingen frånvaro registrerad" in capsys.readouterr().out
