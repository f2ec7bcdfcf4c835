"""Organisation import from YAML and CSV: idempotent, with row-level errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.org_import import OrgImportError, load_org_file
from bot.services.container import Services
from storage.models import Person, Unit

WS = "local"


def counts(services: Services) -> tuple[int, int]:
    with services.kernel.unit_of_work(WS) as uow:
        units = uow.session.scalar(
            select(func.count()).select_from(Unit).where(Unit.workspace_id == WS)
        )
        people = uow.session.scalar(
            select(func.count()).select_from(Person).where(Person.workspace_id == WS)
        )
    return int(units or 0), int(people or 0)


def run_import(services: Services, path: Path) -> None:
    services.organisation.import_org(WS, load_org_file(path), str(path))


def test_reimport_updates_and_never_duplicates(services: Services, tmp_path: Path) -> None:
    before = counts(services)
    assert before == (18, 17)
    units_csv = tmp_path / "units.csv"
    units_csv.write_text(
        "key,name,level,parent,managers\n"
        "hemtjanst-norr,Hemtjänst Norra,enhet,aldreomsorg,U0ENHHTN;U0ENHHTS\n"
        "nattpatrull,Nattpatrullen,enhet,Äldreomsorg,U0ENHSOL\n",
        encoding="utf-8",
    )
    run_import(services, units_csv)
    run_import(services, units_csv)
    assert counts(services) == (19, 17)
    with services.kernel.unit_of_work(WS) as uow:
        unit = uow.repo.unit("hemtjanst-norr")
        assert unit is not None and unit.name == "Hemtjänst Norra"
        assert [p.chat_id for p in unit.managers] == ["U0ENHHTN", "U0ENHHTS"]
        night = uow.repo.unit("nattpatrull")
        assert night is not None and night.parent is not None and night.parent.key == "aldreomsorg"


def test_people_csv_with_roles(services: Services, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id;name;roles;lang\nU0NEW001;Nils Ny;chef;en\nU0PROC01;Petra Lind;processtöd;sv\n",
        encoding="utf-8",
    )
    run_import(services, people)
    with services.kernel.unit_of_work(WS) as uow:
        new = uow.repo.person("U0NEW001")
        assert new is not None and (new.name, new.roles, new.lang) == ("Nils Ny", ["chef"], "en")
        petra = uow.repo.person("U0PROC01")
        assert petra is not None and petra.roles == ["processtod"]
    assert counts(services)[1] == 18


def test_bad_rows_are_named_and_nothing_is_imported(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "key,name,level,parent,managers\n"
        "ok-enhet,Ny enhet,enhet,aldreomsorg,U0ENHHTN\n"
        "x,Felnivå,enhett,aldreomsorg,\n"
        "y,Föräldralös,enhet,finns-inte,\n"
        "z,Okänd chef,enhet,aldreomsorg,U0NOBODY\n",
        encoding="utf-8",
    )
    with pytest.raises(OrgImportError) as err:
        run_import(services, path)
    problems = "\n".join(err.value.problems)
    assert "rad 3 (Felnivå): okänd nivå 'enhett'; kända nivåer: avdelning, enhet," in problems
    assert "rad 4 (Föräldralös): okänd överordnad enhet 'finns-inte'" in problems
    assert "rad 5 (Okänd chef): okänd chef 'U0NOBODY' (lägg till hen under people)" in problems
    english = "\n".join(err.value.messages("en"))
    assert "row 3 (Felnivå): unknown level 'enhett'; known: avdelning, enhet," in english
    assert "row 4 (Föräldralös): unknown parent 'finns-inte'" in english
    assert "row 5 (Okänd chef): unknown manager 'U0NOBODY' (add them under people)" in english
    assert counts(services) == (18, 17)


def test_yaml_errors_name_the_section(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("enheter: []\n", encoding="utf-8")
    with pytest.raises(OrgImportError) as err:
        load_org_file(path)
    assert err.value.problems == ["okänt avsnitt enheter; tillåtna är levels, people, units"]
    assert err.value.messages("en") == [
        "unknown section(s) enheter; expected levels, people, units"
    ]
    path.write_text("people:\n  - {id: U1, name: X, roles: [boss]}\n", encoding="utf-8")
    data = load_org_file(path)
    assert data.people[0].roles == ["boss"]


def test_unknown_roles_are_refused(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("people:\n  - {id: U1, name: X, roles: [boss]}\n", encoding="utf-8")
    with pytest.raises(OrgImportError) as err:
        run_import(services, path)
    assert err.value.problems == [
        "person 1 (U1) under people: okänd roll boss; kända roller: processtod, chef, admin"
    ]
    assert err.value.messages("en") == [
        "person 1 (U1) under people: unknown role(s) boss; known: processtod, chef, admin"
    ]
