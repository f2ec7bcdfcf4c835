"""Who may read what, on every read path of the Slack app (signed requests in, the fake
Web API out): ``/dialog status``, ``aktiviteter``, ``export`` and ``mina``, the App Home
tab and its buttons. Rules: process supports and admins see all; a manager sees their
own units and the branch below; everyone else sees nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fakes.signing import DEFAULT_TEAM_ID, app_home_opened_event
from support.sample import WORKSPACE
from support.slack import ANNA, BJORN, CHANNEL, CHEF_OUTSIDE, PROCESS_SUPPORT, SlackHarness

from bot.domain import access
from bot.domain.org_tree import OrgTree
from bot.services.container import Services
from bot.slack.blocks import HOME_CLOSE, HOME_REMIND, HOME_REPOST
from storage.models_chain import Activity

EVA = "U0AVDAEL"  # B-chef Äldreomsorg: Hemtjänst Norr, Hemtjänst Syd, Solgården below her
ADMIN = "U0ADMIN1"
STRANGER = "U0NOTINORG"  # in the Slack workspace, not in the organisation
REFUSED = "Tyvärr, det kan du inte se"
# The round covers Socialförvaltningen's enheter: three under Äldreomsorg, two under IFO.
START = 'start avstamning enheter:"Socialförvaltningen" kanal:<#C0LEDNING|ledning>'


def _status(slack: SlackHarness, user: str, text: str = "status 1") -> str:
    slack.command(text, user=user)
    return slack.responses(user)[-1]


def _add_activity(slack: SlackHarness, unit_key: str, title: str) -> None:
    now = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)
    with slack.services.kernel.unit_of_work(DEFAULT_TEAM_ID) as uow:
        unit = uow.repo.unit(unit_key)
        assert unit is not None
        uow.repo.add(
            Activity(
                unit_id=unit.id,
                round_id=1,
                question_key="aktiviteter",
                position=0,
                title=title,
                status="open",
                status_note="",
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()


def test_status_shows_each_person_only_what_they_may_read(slack: SlackHarness) -> None:
    slack.command(START)

    everything = _status(slack, PROCESS_SUPPORT)
    assert "Björn Svensson" in everything and "David Lund" in everything
    assert "David Lund" in _status(slack, ADMIN)

    branch = _status(slack, EVA)
    assert all(n in branch for n in ("Anna Andersson", "Björn Svensson", "Cecilia Öberg"))
    assert "David Lund" not in branch and "Elin Karlsson" not in branch
    assert "0 av 3 enheter har svarat" in branch

    own = _status(slack, ANNA)
    assert "Hemtjänst Norr (Anna Andersson)" in own
    assert "Björn" not in own and "Solgården" not in own

    for outsider in (STRANGER, CHEF_OUTSIDE):
        refused = _status(slack, outsider)
        assert REFUSED in refused
        assert "Anna" not in refused and "Hemtjänst" not in refused
    assert REFUSED in _status(slack, STRANGER, "status")
    # A manager outside every open round learns there is nothing for them.
    assert "Anna" not in _status(slack, CHEF_OUTSIDE, "status")


def test_activities_follow_the_branch(slack: SlackHarness) -> None:
    slack.command(START)
    _add_activity(slack, "hemtjanst-syd", "Nytt schema för helger")

    assert "Nytt schema för helger" in _status(slack, PROCESS_SUPPORT, "aktiviteter Hemtjänst Syd")
    assert "Nytt schema för helger" in _status(slack, EVA, "aktiviteter Hemtjänst Syd")
    assert "Nytt schema för helger" in _status(slack, BJORN, "aktiviteter")  # his own unit
    for outsider in (STRANGER, ANNA, CHEF_OUTSIDE):
        refused = _status(slack, outsider, "aktiviteter Hemtjänst Syd")
        assert REFUSED in refused
        assert "Nytt schema" not in refused


def test_export_is_for_process_supports_only(slack: SlackHarness) -> None:
    slack.command(START)
    for user in (EVA, ANNA, STRANGER):
        assert "bara processtöd" in _status(slack, user, "export 1 md")
    assert slack.fake.calls("files.completeUploadExternal") == []
    assert "Dokumentationen av runda 1" in _status(slack, PROCESS_SUPPORT, "export 1 md")
    assert len(slack.fake.delivered("files.completeUploadExternal")) == 1


def test_mina_lists_only_the_callers_own_questions(slack: SlackHarness) -> None:
    slack.command(START)
    mine = _status(slack, ANNA, "mina")
    assert "Hemtjänst Norr" in mine and "Hemtjänst Syd" not in mine
    for outsider in (STRANGER, CHEF_OUTSIDE):
        assert _status(slack, outsider, "mina") == "Du har inga obesvarade frågor just nu."


def _home(slack: SlackHarness, user: str) -> str:
    slack.event(app_home_opened_event(user=user))
    published = slack.fake.delivered("views.publish")[-1]
    assert published.args["user_id"] == user
    return json.dumps(published.arg_json("view"), ensure_ascii=False)


def test_app_home_process_support_view_and_manager_view(slack: SlackHarness) -> None:
    slack.command(START)

    support = _home(slack, PROCESS_SUPPORT)
    assert "Barn och unga" in support and "home_close" in support and "home_remind" in support

    eva = _home(slack, EVA)
    assert "Öppna rundor i din del av organisationen" in eva
    assert "0 av 3 enheter har svarat" in eva
    assert "Anna Andersson" in eva and "David Lund" not in eva and "Barn och unga" not in eva
    assert "home_close" not in eva and "home_remind" not in eva and "home_repost" not in eva

    for outsider in (STRANGER, CHEF_OUTSIDE):
        home = _home(slack, outsider)
        assert "Hemtjänst" not in home and "Anna" not in home and "home_" not in home


def test_app_home_buttons_check_the_clickers_role(slack: SlackHarness) -> None:
    slack.command(START)
    before = len(slack.posts())
    for user in (EVA, ANNA, STRANGER):
        for action in (HOME_REMIND, HOME_CLOSE, HOME_REPOST):
            slack.click(action, "1", user, view={"id": f"V0{user}", "type": "home"})
            refusal = slack.posts(slack.fake.dm_channel_id(user))[-1].args["text"]
            assert "bara processtöd" in refusal
    # Nothing but the refusals was posted: no reminder, no summary, the round is open.
    assert len(slack.posts()) == before + 9
    assert slack.services.queries.round_info(DEFAULT_TEAM_ID, 1).status == "open"

    slack.click(HOME_REPOST, "1", PROCESS_SUPPORT, view={"id": "V0PS", "type": "home"})
    assert any("Sammanfattning" in str(c.args.get("text")) for c in slack.posts(CHANNEL))


def test_read_scope_over_the_org_tree(services: Services) -> None:
    with services.kernel.unit_of_work(WORKSPACE) as uow:
        tree = OrgTree(uow.repo.units())

        def scope(chat_id: str) -> set[str]:
            found = access.read_scope(uow.repo.person(chat_id), tree)
            return {"*"} if found.everything else {tree.by_id[i].key for i in found.unit_ids}

        assert scope(PROCESS_SUPPORT) == scope(ADMIN) == {"*"}
        assert scope(EVA) == {"aldreomsorg", "hemtjanst-norr", "hemtjanst-syd", "solgarden"}
        assert scope(ANNA) == {"hemtjanst-norr"}
        assert scope(STRANGER) == set()
        social = scope("U0SOCDIR")
        assert {"ifo", "barn-och-unga", "solgarden"} <= social and "ekskolan" not in social
