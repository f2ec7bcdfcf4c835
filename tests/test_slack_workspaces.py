"""Several workspaces in one app (OAuth mode): each sees and touches only its own data,
and every post uses that workspace's own bot token."""

from __future__ import annotations

import re

from sqlalchemy import text
from support.sample import load_sample_org
from support.slack import ANNA, CHANNEL, TEAMS, SlackHarness, texts

from bot.slack.token_store import installation_store


def test_two_workspaces_side_by_side_never_see_each_other(multi: SlackHarness) -> None:
    multi.command('start avstamning enheter:"Hemtjänst Norr"', team="T0AAA")
    multi.command('start resultat units:"Hemtjänst Norr"', team="T0BBB")
    a_round = multi.services.queries.rounds("T0AAA")
    b_round = multi.services.queries.rounds("T0BBB")
    assert len(a_round) == len(b_round) == 1
    assert a_round[0].round_id != b_round[0].round_id

    # Every post went out with the token of the workspace it belongs to.
    for call in multi.fake.delivered("chat.postMessage"):
        assert call.token == TEAMS[str(call.team_id)]
    a_posts = [c for c in multi.fake.delivered("chat.postMessage") if c.team_id == "T0AAA"]
    a_thread = next(str(c.response["ts"]) for c in a_posts if f"<@{ANNA}>" in str(c.args["text"]))

    # Workspace B cannot answer into, close or read workspace A's round.
    before = len(multi.fake.delivered("chat.postMessage"))
    multi.say(ANNA, "Fel arbetsyta", a_thread, team="T0BBB")
    assert (
        multi.services.queries.answers_of(
            "T0AAA",
            multi.services.queries.status("T0AAA", a_round[0].round_id)
            .units[0]
            .participants[0]
            .participation_id,
        )
        == {}
    )
    assert len(multi.fake.delivered("chat.postMessage")) == before
    multi.command(f"stäng {a_round[0].round_id}", team="T0BBB")
    assert f"Det finns ingen runda {a_round[0].round_id}" in multi.responses(team="T0BBB")[-1]
    multi.command(f"status {a_round[0].round_id}", team="T0BBB")
    assert "Det finns ingen runda" in multi.responses(team="T0BBB")[-1]
    assert multi.services.queries.round_info("T0AAA", a_round[0].round_id).status == "open"

    # Workspace A answers normally.
    multi.say(ANNA, "Rätt arbetsyta", a_thread, team="T0AAA")
    pid = (
        multi.services.queries.status("T0AAA", a_round[0].round_id)
        .units[0]
        .participants[0]
        .participation_id
    )
    assert multi.services.queries.answers_of("T0AAA", pid) == {"hur_gar_det": "Rätt arbetsyta"}
    last = [
        c for c in multi.fake.delivered("chat.postMessage") if c.args.get("thread_ts") == a_thread
    ][-1]
    assert last.token == TEAMS["T0AAA"]
    assert "Fråga 2 av 3" in texts([last])[0]


def test_oauth_install_flow_stores_the_installation(multi: SlackHarness) -> None:
    multi.fake.configure_oauth(access_token="xoxb-new", team_id="T0NEW", code="good-code")
    page = multi.http("GET", "/slack/install")
    assert page.status == 200
    cookie = next(v for k, v in page.all_headers if k.lower() == "set-cookie")
    state = re.search(r"slack-app-oauth-state=([^;]+)", cookie)
    assert state is not None
    done = multi.http(
        "GET",
        "/slack/oauth_redirect",
        query=f"code=good-code&state={state.group(1)}",
        headers={"Cookie": f"slack-app-oauth-state={state.group(1)}"},
    )
    assert done.status == 200, done.body
    store = installation_store(multi.config, multi.db)
    bot = store.find_bot(enterprise_id=None, team_id="T0NEW")
    assert bot is not None and bot.bot_token == "xoxb-new"
    with multi.db.connect() as conn:  # what the install flow stored is encrypted
        stored = conn.execute(text("SELECT bot_token FROM slack_bots WHERE team_id='T0NEW'"))
        assert [t for (t,) in stored if "xoxb-new" in t] == []
    load_sample_org(multi.services, "T0NEW")
    multi.command('start avstamning enheter:"Hemtjänst Norr"', team="T0NEW")
    new_posts = [c for c in multi.fake.delivered("chat.postMessage") if c.team_id == "T0NEW"]
    assert new_posts and all(c.token == "xoxb-new" for c in new_posts)
    assert CHANNEL in {c.args["channel"] for c in new_posts}


def test_auth_test_is_asked_once_per_workspace_token(multi: SlackHarness) -> None:
    # Bolt's authorize asks Slack who a stored token belongs to before the ack; the answer
    # is kept per token, so it is asked once per workspace, not once per request.
    before = len(multi.fake.calls("auth.test"))
    for _ in range(3):
        for team in ("T0AAA", "T0BBB"):
            reply = multi.command("hjälp", team=team)
            assert "/dialog start" in reply.json()["text"]
    asked = multi.fake.calls("auth.test")[before:]
    assert sorted(str(c.token) for c in asked) == sorted(TEAMS[t] for t in ("T0AAA", "T0BBB"))
