"""Tests of the Slack Web API fake (tests/fakes) driven by a real slack_sdk WebClient."""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fakes import ARGS_NEWER_THAN_SPEC, UPLOAD_METHOD, FakeSlack, load_spec
from fakes.signing import (
    FORM,
    JSON,
    block_actions_body,
    event_callback_body,
    message_changed_event,
    message_deleted_event,
    message_event,
    sign,
    slash_command_body,
    view_submission_body,
)
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

TOKEN = "xoxb-fake-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(default_token=TOKEN) as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.base_url, token=TOKEN)


def test_post_message_is_recorded_with_args(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Fråga 1*"}}]
    first = client.chat_postMessage(channel="C1", text="Fråga 1", blocks=blocks)
    reply = client.chat_postMessage(channel="C1", text="svar", thread_ts=first["ts"])

    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100"
    assert float(reply["ts"]) > float(first["ts"])
    assert reply["message"]["thread_ts"] == first["ts"]
    assert first["message"]["blocks"] == blocks

    calls = fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [200, 200]
    assert calls[0].token == TOKEN
    assert calls[0].args["channel"] == "C1"
    assert calls[0].arg_json("blocks") == blocks
    assert calls[1].args["thread_ts"] == first["ts"]
    assert calls[0].team_id == "T0DEFAULT"
    assert len(fake.delivered()) == 2
    assert fake.spec_violations == []


def test_argument_not_in_spec_is_flagged(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hej", unfurl_link=False)  # typo: unfurl_links
    assert excinfo.value.response["error"] == "invalid_arguments"
    assert fake.spec_violations == [
        "chat.postMessage: argument 'unfurl_link' is not declared in the Web API spec"
    ]
    assert fake.delivered() == []
    assert fake.calls("chat.postMessage")[0].ok is False


def test_allow_listed_and_client_default_args_pass(fake: FakeSlack) -> None:
    # Bolt's per-request client sets team_id, which slack_sdk adds to every call.
    client = WebClient(base_url=fake.base_url, token=TOKEN, team_id="T0DEFAULT")
    metadata = {"event_type": "dialog_question", "event_payload": {"dialog_id": 7}}
    client.chat_postMessage(channel="C1", text="hej", metadata=metadata, unfurl_links=False)
    assert fake.spec_violations == []
    assert fake.delivered()[0].args["team_id"] == "T0DEFAULT"


def test_allow_list_is_minimal_and_matches_slack_sdk() -> None:
    spec = load_spec()
    for method, names in ARGS_NEWER_THAN_SPEC.items():
        declared = spec[method].declared
        params = inspect.signature(getattr(WebClient, method.replace(".", "_"))).parameters
        for name in names:
            assert name not in declared, f"{method}.{name} is in the spec; drop it"
            assert name in params, f"{method}.{name} is not a slack_sdk parameter"


def test_missing_required_argument_is_flagged(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("reactions.add", params={"channel": "C1", "name": "eyes"})
    assert fake.spec_violations == ["reactions.add: required argument 'timestamp' is missing"]


def test_spec_location_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = {"paths": {"/chat.postMessage": {"post": {"parameters": [{"name": "channel"}]}}}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("DIALOGBOT_SLACK_SPEC", str(path))
    with FakeSlack() as fake:
        client = WebClient(base_url=fake.base_url, token=TOKEN)
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="hej")
        assert fake.spec_violations == [
            "chat.postMessage: argument 'text' is not declared in the Web API spec"
        ]
    with pytest.raises(FileNotFoundError):
        load_spec(tmp_path / "missing.json")


def test_history_pages_top_level_messages_newest_first_within_oldest(
    client: WebClient,
) -> None:
    meta = {"event_type": "t", "event_payload": {"key": "k"}}
    posted = [client.chat_postMessage(channel="C1", text=f"m{n}", metadata=meta) for n in range(5)]
    client.chat_postMessage(channel="C1", text="svar", thread_ts=posted[0]["ts"])
    client.chat_postMessage(channel="C2", text="elsewhere")
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversations_history(
            channel="C1", oldest=posted[0]["ts"], limit=2, cursor=cursor
        )
        seen += [m["text"] for m in page["messages"]]
        assert all("metadata" not in m for m in page["messages"])
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] == bool(cursor)
        if not cursor:
            break
    assert seen == ["m4", "m3", "m2", "m1"]  # top level, newest first, after oldest
    inclusive = client.conversations_history(
        channel="C1", oldest=posted[0]["ts"], inclusive=True, include_all_metadata=True
    )
    assert [m["text"] for m in inclusive["messages"]][-1] == "m0"
    assert all(m["metadata"] == meta for m in inclusive["messages"])
    latest = client.conversations_history(channel="C1", latest=posted[2]["ts"])
    assert [m["text"] for m in latest["messages"]] == ["m1", "m0"]
    with pytest.raises(SlackApiError) as refused:
        client.conversations_history(channel="U0ANNA")  # a user id is not a conversation
    assert refused.value.response["error"] == "channel_not_found"


def test_custom_handler_and_crash_reporting(fake: FakeSlack, client: WebClient) -> None:
    fake.on("team.info", lambda args: {"ok": True, "team": {"id": "T0DEFAULT", "name": "X"}})
    assert client.team_info()["team"]["name"] == "X"
    fake.on("bots.info", lambda args: {"ok": True, "bot": args["missing"]})
    with pytest.raises(SlackApiError) as excinfo:
        client.bots_info(bot="B1")
    assert excinfo.value.response.status_code == 500
    assert "KeyError" in fake.fake_errors[0]


def test_unknown_method(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("dialogs.frobnicate", params={"x": "1"})
    assert excinfo.value.response.status_code == 200
    assert excinfo.value.response["error"] == "unknown_method"
    assert fake.calls("dialogs.frobnicate")[0].args == {"x": "1"}


def test_429_is_retried_by_rate_limit_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After + random.random() s; drop the jitter to keep this fast.
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random.random", lambda: 0.0)
    client = WebClient(
        base_url=fake.base_url,
        token=TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", 429, retry_after=0)
    client.chat_postMessage(channel="C1", text="hej")

    calls = fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response["error"] == "ratelimited"
    assert len(fake.delivered()) == 1


def test_429_without_retry_handler_exposes_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", 429, retry_after=3)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hej")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert fake.delivered() == []


def test_500_injection(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", text="hej")
        assert excinfo.value.response.status_code == 500
    client.chat_postMessage(channel="C1", text="hej")
    assert [c.status for c in fake.calls()] == [500, 500, 200]
    assert len(fake.delivered()) == 1


def test_fail_for_window(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_for(0.15, 503, methods={"chat.postMessage"})
    client.reactions_add(channel="C1", timestamp="1.2", name="white_check_mark")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hej")
    assert excinfo.value.response.status_code == 503
    time.sleep(0.2)
    client.chat_postMessage(channel="C1", text="hej")
    assert len(fake.delivered()) == 1


def test_rate_limit_mode(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limits(per_channel_post_per_s=1.0, burst=1, method_per_minute={"users.info": 1})
    fake.add_user("U1", "anna")
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C2", text="other channel")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="2")
    assert excinfo.value.response.status_code == 429
    assert int(excinfo.value.response.headers["Retry-After"]) >= 1
    client.users_info(user="U1")
    with pytest.raises(SlackApiError):
        client.users_info(user="U1")
    assert len(fake.delivered()) == 2


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="Dialog")
    content = "# Sammanfattning\n\nÅtgärder: inga.\n"
    result = client.files_upload_v2(
        channel="C1",
        content=content,
        filename="sammanfattning.md",
        title="Sammanfattning",
        initial_comment="Här är sammanfattningen",
        thread_ts=parent["ts"],
    )
    [uploaded] = fake.uploaded_files()
    assert result["file"]["id"] == uploaded.file_id
    assert uploaded.text == content
    assert uploaded.length == len(content.encode())
    assert uploaded.completed
    assert (uploaded.channel_id, uploaded.thread_ts) == ("C1", parent["ts"])
    assert uploaded.initial_comment == "Här är sammanfattningen"
    assert [c.method for c in fake.calls()][-3:] == [
        "files.getUploadURLExternal",
        UPLOAD_METHOD,
        "files.completeUploadExternal",
    ]
    assert client.files_info(file=uploaded.file_id)["file"]["title"] == "Sammanfattning"
    assert fake.spec_violations == []


def test_auth_test_distinguishes_workspaces(fake: FakeSlack) -> None:
    fake.add_workspace("xoxb-a", "T0AAA", "U0BOTA", team_name="Ale kommun")
    fake.add_workspace("xoxb-b", "T0BBB", "U0BOTB")
    a = WebClient(base_url=fake.base_url, token="xoxb-a").auth_test()
    b = WebClient(base_url=fake.base_url, token="xoxb-b").auth_test()
    assert (a["team_id"], a["user_id"], a["team"]) == ("T0AAA", "U0BOTA", "Ale kommun")
    assert (b["team_id"], b["user_id"]) == ("T0BBB", "U0BOTB")
    assert a["bot_id"] != b["bot_id"]
    assert {c.team_id for c in fake.calls("auth.test")} == {"T0AAA", "T0BBB"}


def test_unknown_token_rejected_in_strict_mode() -> None:
    with FakeSlack(accept_unknown_tokens=False) as fake:
        client = WebClient(base_url=fake.base_url, token="xoxb-unknown")
        with pytest.raises(SlackApiError) as excinfo:
            client.auth_test()
        assert excinfo.value.response["error"] == "invalid_auth"


def test_dm_channel_and_users(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", "anna", real_name="Anna Andersson")
    opened = client.conversations_open(users=["U1"])
    again = client.conversations_open(users="U1", return_im=True)
    assert opened["channel"]["id"] == again["channel"]["id"] == "D1"
    assert again["channel"]["is_im"] is True
    posted = client.chat_postMessage(channel="U1", text="Hej Anna")
    assert posted["channel"] == "D1"
    user = client.users_info(user="U1")["user"]
    assert (user["real_name"], user["tz"]) == ("Anna Andersson", "Europe/Stockholm")
    with pytest.raises(SlackApiError):
        client.users_info(user="U404")


def test_message_store_update_delete_and_reactions(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="v1")
    client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert [m["text"] for m in fake.messages("C1")] == ["v2"]
    client.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")
    assert excinfo.value.response["error"] == "already_reacted"
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert fake.messages("C1") == []
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts=posted["ts"], text="v3")
    assert excinfo.value.response["error"] == "message_not_found"


def test_views_and_block_kit_limits(fake: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Planering"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=modal)["view"]
    updated = client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"])
    assert updated["view"]["id"] == opened["id"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert client.views_publish(user_id="U1", view={"type": "home"})["view"]["id"] == home["id"]

    too_long = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="123.456", view=too_long)
    assert excinfo.value.response["error"] == "invalid_arguments"
    many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", blocks=many)
    assert excinfo.value.response["error"] == "invalid_blocks"
    assert len(fake.block_kit_errors) == 2


def test_oauth_v2_access(fake: FakeSlack) -> None:
    fake.configure_oauth(
        access_token="xoxb-new",
        team_id="T0NEW",
        team_name="Nya kommunen",
        bot_user_id="U0NEWBOT",
        code="code-1",
        client_id="111.222",
        client_secret="hemligt",
    )
    client = WebClient(base_url=fake.base_url)
    response = client.oauth_v2_access(client_id="111.222", client_secret="hemligt", code="code-1")
    assert response["access_token"] == "xoxb-new"
    assert response["team"] == {"id": "T0NEW", "name": "Nya kommunen"}
    assert response["token_type"] == "bot"
    assert response["authed_user"]["id"] == "U0INSTALLER"
    assert client.auth_test(token="xoxb-new")["team_id"] == "T0NEW"
    with pytest.raises(SlackApiError) as excinfo:  # codes are single-use
        client.oauth_v2_access(client_id="111.222", client_secret="hemligt", code="code-1")
    assert excinfo.value.response["error"] == "invalid_code"


def test_concurrent_posts_get_unique_ts(fake: FakeSlack) -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        client = WebClient(base_url=fake.base_url, token=TOKEN)
        for i in range(10):
            ts = client.chat_postMessage(channel=f"C{n}", text=str(i))["ts"]
            with lock:
                seen.append(str(ts))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == len(set(seen)) == 80
    assert len(fake.delivered()) == 80


# ---------------------------------------------------------------------------------------
# Signing helpers


SECRET = "test-signing-secret"


def test_signature_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("/dialog", "status", "U1", "T0DEFAULT", "C1")
    headers = sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not SignatureVerifier("other").is_valid_request(body, headers)


def test_bolt_app_accepts_signed_requests(fake: FakeSlack) -> None:
    app = App(signing_secret=SECRET, client=WebClient(base_url=fake.base_url, token=TOKEN))
    seen: list[object] = []

    @app.command("/dialog")
    def on_command(ack, command, respond):  # type: ignore[no-untyped-def]
        ack()
        respond(f"ok: {command['text']}")

    @app.event({"type": "message", "subtype": "message_changed"})
    def on_changed(event):  # type: ignore[no-untyped-def]
        seen.append(("changed", event["message"]["text"], event["previous_message"]["text"]))

    @app.event({"type": "message", "subtype": "message_deleted"})
    def on_deleted(event):  # type: ignore[no-untyped-def]
        seen.append(("deleted", event["deleted_ts"]))

    @app.event("message")
    def on_message(event, say):  # type: ignore[no-untyped-def]
        say(text="tack", thread_ts=event["thread_ts"])

    @app.action("answer")
    def on_action(ack, body):  # type: ignore[no-untyped-def]
        ack()
        seen.append(("action", body["actions"][0]["value"]))

    @app.view("plan")
    def on_submit(ack, view):  # type: ignore[no-untyped-def]
        ack()
        seen.append(("view", view["state"]["values"]["b"]["a"]["value"]))

    def dispatch(body: str, content_type: str, secret: str = SECRET) -> int:
        headers: dict[str, str | Sequence[str]] = {**sign(body, secret, content_type=content_type)}
        return int(app.dispatch(BoltRequest(body=body, headers=headers)).status)

    command = slash_command_body(
        "/dialog", "start", "U1", "T0DEFAULT", "C1", response_url=fake.response_url("cmd")
    )
    assert dispatch(command, FORM) == 200
    events = [
        message_event(text="svar", user="U1", channel="C1", thread_ts="1.1"),
        message_changed_event(
            channel="C1", ts="1.2", text="nytt", previous_text="gammalt", user="U1"
        ),
        message_deleted_event(channel="C1", ts="1.2", previous_text="nytt", user="U1"),
    ]
    for event in events:
        assert dispatch(event_callback_body(event, "T0DEFAULT"), JSON) == 200
    action = block_actions_body(action_id="answer", user_id="U1", team_id="T0DEFAULT", value="ja")
    assert dispatch(action, FORM) == 200
    submission = view_submission_body(
        callback_id="plan",
        user_id="U1",
        team_id="T0DEFAULT",
        state_values={"b": {"a": {"type": "plain_text_input", "value": "mål"}}},
    )
    assert dispatch(submission, FORM) == 200
    bad = event_callback_body(events[0], "T0DEFAULT")
    assert dispatch(bad, JSON, secret="wrong") == 401

    [reply] = fake.wait_for("chat.postMessage")
    assert reply.args["thread_ts"] == "1.1"
    [responded] = fake.wait_for("response_url")
    assert responded.args["text"] == "ok: start"
    deadline = time.monotonic() + 2
    while len(seen) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(map(str, seen)) == sorted(
        map(
            str,
            [
                ("changed", "nytt", "gammalt"),
                ("deleted", "1.2"),
                ("action", "ja"),
                ("view", "mål"),
            ],
        )
    )
    assert fake.spec_violations == []
