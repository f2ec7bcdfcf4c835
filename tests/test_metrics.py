"""``/metrics``: scraped during a Slack round, the numbers move with it; the worker's
metrics server; multiprocess mode; the alert rules and dashboard name real metrics."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from support.slack import ANNA, BJORN, SlackHarness

from bot.domain.templates import TemplateCatalog
from bot.metrics import DatabaseCollector, serve_metrics, watch_engine, with_metrics
from bot.services.kernel import ServiceKernel
from bot.services.ops import Ops
from storage.db import make_engine, make_session_factory

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(body: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def scrape(app: Any) -> Samples:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/metrics",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, *e: status.append(s)))
    assert status == ["200 OK"]
    return parse(body.decode("utf-8"))


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_with_a_round(slack: SlackHarness, db: Engine) -> None:
    # The outbox stamps its rows with the bot's clock: the collector reads the same one.
    metrics_app = with_metrics(
        slack.wsgi,
        DatabaseCollector(slack.services.ops, now=slack.services.kernel.clock.now),
    )
    before = scrape(metrics_app)
    assert value(before, "dialogbot_open_rounds") == 0
    assert value(before, "dialogbot_database_up") == 1

    slack.command(START)
    started = scrape(metrics_app)
    assert value(started, "dialogbot_open_rounds") == 1
    assert value(started, "dialogbot_round_response_rate", workspace="T0DEFAULT", round="1") == 0
    assert (
        value(started, "dialogbot_requests_total", kind="command", outcome="ok")
        == value(before, "dialogbot_requests_total", kind="command", outcome="ok") + 1
    )
    assert value(started, "dialogbot_posts_total", outcome="sent") >= (
        value(before, "dialogbot_posts_total", outcome="sent") + 4
    )

    slack.say(ANNA, "Det går bra", slack.thread_of(ANNA))
    answered = scrape(metrics_app)
    assert (
        value(answered, "dialogbot_answers_stored_total", kind="answered")
        == value(started, "dialogbot_answers_stored_total", kind="answered") + 1
    )
    rate = value(answered, "dialogbot_round_response_rate", workspace="T0DEFAULT", round="1")
    assert rate == pytest.approx(1 / 3)
    assert value(answered, "dialogbot_ack_seconds_count") > value(
        started, "dialogbot_ack_seconds_count"
    )
    assert (
        value(answered, "dialogbot_requests_total", kind="event:message", outcome="ok")
        == value(started, "dialogbot_requests_total", kind="event:message", outcome="ok") + 1
    )

    # Slack limits once (a 429, retried), then is down for Björn's next question.
    slack.fake.fail_next("chat.postMessage", 429, retry_after=0)
    slack.fake.fail_next("chat.postMessage", 503, times=10)
    slack.say(BJORN, "Det går sämre", slack.thread_of(BJORN))
    troubled = scrape(metrics_app)
    assert value(troubled, "dialogbot_api_ratelimited_total") == (
        value(answered, "dialogbot_api_ratelimited_total") + 1
    )
    assert value(troubled, "dialogbot_api_retries_total", reason="ratelimited") >= (
        value(answered, "dialogbot_api_retries_total", reason="ratelimited") + 1
    )
    assert value(troubled, "dialogbot_posts_total", outcome="failed") == (
        value(answered, "dialogbot_posts_total", outcome="failed") + 1
    )
    assert value(troubled, "dialogbot_outbox_depth") == 1
    assert value(troubled, "dialogbot_outbox_oldest_age_seconds") >= 0
    assert value(troubled, "dialogbot_jobs", state="failed") == 0

    slack.command("stäng")
    closed = scrape(metrics_app)
    assert value(closed, "dialogbot_open_rounds") == 0
    assert ("dialogbot_round_response_rate", (("round", "1"), ("workspace", "T0DEFAULT"))) not in (
        closed
    )


def test_unsigned_requests_are_counted_as_rejected(slack: SlackHarness) -> None:
    before = scrape(slack.wsgi)
    reply = slack.http("POST", "/slack/events", "x=1", {"Content-Type": "text/plain"})
    assert reply.status == 401
    after = scrape(slack.wsgi)
    assert value(after, "dialogbot_requests_total", kind="unverified", outcome="rejected") == (
        value(before, "dialogbot_requests_total", kind="unverified", outcome="rejected") + 1
    )


def test_database_errors_are_counted(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    watch_engine(engine)
    before = value(parse(_get_text()), "dialogbot_database_errors_total", kind="operational")
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    after = value(parse(_get_text()), "dialogbot_database_errors_total", kind="operational")
    assert after == before + 1


def _get_text() -> str:
    from bot.metrics import exposition, scrape_registry

    return exposition(scrape_registry()).decode("utf-8")


def test_the_worker_serves_metrics_on_its_own_port(db: Engine) -> None:
    server, thread = serve_metrics(
        0,
        DatabaseCollector(Ops(ServiceKernel(make_session_factory(db), TemplateCatalog({})))),
        addr="127.0.0.1",
    )
    try:
        port = server.server_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            body = resp.read().decode("utf-8")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    samples = parse(body)
    assert value(samples, "dialogbot_database_up") == 1
    assert value(samples, "dialogbot_jobs", state="due") == 0


def test_multiprocess_mode_adds_up_the_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from bot import metrics; metrics.answer_stored('answered')"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    show = "from bot import metrics; print(metrics.exposition(metrics.scrape_registry()).decode())"
    out = subprocess.run(
        [sys.executable, "-c", show],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    assert value(parse(out), "dialogbot_answers_stored_total", kind="answered") == 2


def _metric_names(exprs: Iterable[str]) -> set[str]:
    import re

    return {m for e in exprs for m in re.findall(r"\bdialogbot_[a-z_]+", e)}


def test_alert_rules_and_dashboard_use_metrics_that_exist(
    slack: SlackHarness, repo_root: Path
) -> None:
    slack.command(START)
    # The outbox stamps its rows with the bot's clock: the collector reads the same one.
    metrics_app = with_metrics(
        slack.wsgi,
        DatabaseCollector(slack.services.ops, now=slack.services.kernel.clock.now),
    )
    known = {name for name, _ in scrape(metrics_app)}
    rules = yaml.safe_load((repo_root / "deploy" / "prometheus-alerts.yml").read_text())
    alerts = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}
    assert {"DialogbotOutboxStuck", "DialogbotJobsFailing", "DialogbotSlowAck"} <= set(alerts)
    dashboard = json.loads((repo_root / "deploy" / "grafana-dashboard.json").read_text())
    targets = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = _metric_names([*alerts.values(), *targets])
    assert used, "no dialogbot metric referenced"
    assert used <= known, f"unknown metrics: {sorted(used - known)}"
