"""People named by e-mail or UPN in the organisation file get their Entra object ids from
a team's member list, and then answer as themselves on Teams."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fakes.teams.connector import DEFAULT_TENANT
from fakes.teams.harness import TeamsHarness

from bot.org_import import load_org_file
from bot.services.container import Services
from bot.teams.roster import sync_roster
from bot.teams.sdk import SdkConnector

ORG = """\
people:
  - {id: petra.lind@kommun.se, name: Petra Lind, roles: [processtod]}
  - {id: Anna.Andersson@kommun.se, name: Anna Andersson, roles: [chef]}
  - {id: 0f1e2d3c-0000-4000-8000-0000000000bb, name: Bo Berg, roles: [chef]}
units:
  - {key: forv, name: Förvaltningen, level: forvaltning}
  - {key: norr, name: Norr, level: enhet, parent: forv, managers: [Anna.Andersson@kommun.se]}
  - {key: syd, name: Syd, level: enhet, parent: forv, managers: [0f1e2d3c-0000-4000-8000-0000000000bb]}
"""
TEAM = "19:ledningsgruppen@thread.tacv2"
PETRA = "aad-petra-0001"
ANNA = "aad-anna-0002"


def test_roster_sync_maps_addresses_to_object_ids(
    make_services: Callable[[], Services], tmp_path: Path
) -> None:
    services = make_services()
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    services.organisation.import_org(DEFAULT_TENANT, load_org_file(path), str(path))
    with TeamsHarness(services) as h:
        h.fake.rosters[TEAM] = [
            {"id": "29:p", "aadObjectId": PETRA, "email": "petra.lind@kommun.se"},
            {"id": "29:a", "aadObjectId": ANNA, "userPrincipalName": "anna.andersson@kommun.se"},
            {"id": "29:x", "aadObjectId": "aad-stranger", "email": "someone@else.se"},
        ]
        connector = h.bot.sender.connector
        assert isinstance(connector, SdkConnector)
        members = connector.paged_members(h.fake.url, TEAM)
        assert len(members) == 3
        renamed = sync_roster(h.services, DEFAULT_TENANT, members)
        assert renamed == [
            ("Anna.Andersson@kommun.se", ANNA),
            ("petra.lind@kommun.se", PETRA),
        ]
        assert sync_roster(h.services, DEFAULT_TENANT, members) == [], "idempotent"
        assert h.fake.spec_violations == []

        h.fake.add_channel(TEAM)
        h.install(PETRA)
        h.install(ANNA)
        h.say(PETRA, f'dialog start avstamning units:"Förvaltningen" kanal:{TEAM}')
        h.say(ANNA, "Det går bra.")
        found = h.services.queries.open_participations_for(DEFAULT_TENANT, ANNA)
        assert h.services.queries.answers_of(DEFAULT_TENANT, found[0].participation_id) == {
            "hur_gar_det": "Det går bra."
        }
