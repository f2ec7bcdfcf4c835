"""Renders BENCHMARKS.md from the saved results (``bench/results/*.json``)."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from bench.harness import ROOT, load_results, machine

OUT = ROOT / "BENCHMARKS.md"


def _verdict(ok: Any) -> str:
    if ok is None:
        return "n/a"
    return "**PASS**" if ok else "**FAIL**"


def _f(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


def _spread(row: dict[str, Any], key: str, digits: int = 1, scale: float = 1.0) -> str:
    """The median ``row[key]`` (times ``scale``) with the repetitions' minimum and maximum
    after it (a result of a single run has none)."""
    value = row.get(key)
    shown = _f(None if value is None else value * scale, digits)
    runs = [v * scale for v in (row.get("runs") or {}).get(key, []) if not math.isnan(v)]
    if len(runs) < 2:
        return shown
    return f"{shown} ({_f(min(runs), digits)}–{_f(max(runs), digits)})"


def _repeated(r: dict[str, Any] | None, how: str) -> str:
    """``how`` the figure is repeated, unless ``r`` is a result from before repetitions."""
    if r is not None and not r.get("repetitions"):
        return " One run per step or case (a result from before the repetitions)."
    return how


def _missing(name: str) -> str:
    return f"_Not measured yet: run `python -m bench {name}`._\n"


def _figure1(r: dict[str, Any] | None) -> str:
    out = [
        "## 1. Ack latency, CPU per answer and sustained answers/s (HTTP, PostgreSQL)\n",
        "500 managers answer seeded `planering` rounds (5 questions, one DM thread per manager "
        "and round; a manager's consecutive answers go to their next question and are a whole "
        "round of managers apart). Thread-reply events, correctly signed, are sent open-loop "
        "from a separate process over keep-alive loopback connections at a fixed rate per step "
        f"({_f((r or {}).get('step_seconds', 10), 0)} s per step); latency runs from the "
        "*intended* send time to the HTTP response. Three floors run the same steps on the "
        "same stack (Bolt WSGI adapter on waitress, 8 threads; `bench/floor_app.py`): *ack* "
        "only acknowledges; *insert* does one INSERT + COMMIT before the ack; *lean* does the "
        "bot's visible work plainly (the answer stored before the ack, then the post claims, "
        "the reaction, the next question and, from a thread's second answer on, the update "
        "of the answered question's message). The bot stores each answer before it acknowledges "
        "and posts after the ack through its outbox. Per system and step: the server's CPU "
        "per answer (its process tree, from /proc), PostgreSQL's active time per answer, and "
        "for *lean* and the bot the drain: the bench waits until every next question is "
        "posted, which gives the rate really processed, posting included (saturated below "
        "90 % of the offered rate; steps above 200/s are then not run). The fake Slack (own "
        "process) enforces no workspace-wide limit here and the bot is told so; its CPU and "
        "the load generator's are measured separately."
        + _repeated(
            r,
            f" The five systems (three floors, the bot, the bot with `serve --workers 2`) "
            f"run interleaved: {(r or {}).get('repetitions', 3)} repetitions, in each every "
            f"system once (started, warmed up with {(r or {}).get('warmup_answers', 100)} "
            "unmeasured answers at 50/s, every step, stopped), in an order that rotates from "
            "one repetition to the next; each cell is the median of the repetitions that ran "
            "the step (minimum–maximum in brackets; a repetition saturated at or above 200/s "
            "runs no higher step), and the verdicts use the medians.",
        )
        + "\n",
    ]
    if r is None:
        return "\n".join(out) + _missing("figure1")
    floors: dict[str, dict[str, Any]] = r.get("floors") or {"ack": r["floor"]}
    systems = [(f"floor *{name}*", rows) for name, rows in floors.items()]
    systems.append(("**bot**", r["bot"]))
    several = r.get("workers")
    if several:
        systems.append((f"**bot, `serve --workers {several['processes']}`**", several["bot"]))
    out.append(
        "| offered/s | system | p50 ms | p99 ms | server CPU ms/answer | PostgreSQL ms/answer "
        "| processed/s | drained after s | fake / loadgen CPU ms/answer |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    rates = sorted({int(k) for _, rows in systems for k in rows})
    for rate in rates:
        for name, rows in systems:
            row = rows.get(str(rate))
            if row is None:
                if name.startswith("**bot"):
                    out.append(f"| {rate} | {name} | not run | | | | | | |")
                continue
            runs = row.get("repetitions")
            fewer = (
                f" ({runs} of {r['repetitions']} runs)"
                if runs and runs < r.get("repetitions", runs)
                else ""
            )
            out.append(
                f"| {rate} | {name}{fewer} | {_f(row['p50_ms'])} | {_spread(row, 'p99_ms')} | "
                f"{_spread(row, 'cpu_ms_per_answer', 2)} | "
                f"{_spread(row, 'pg_ms_per_answer', 2)} | "
                f"{_spread(row, 'processed_per_s', 0)} | "
                f"{_f(row.get('drained_after_s'), 2)} | "
                f"{_f(row.get('fake_cpu_ms_per_answer'), 2)} / "
                f"{_f(row.get('loadgen_cpu_ms_per_answer'), 2)} |"
            )
    t = r["totals"]
    order = r.get("order")
    if order:
        out.append(
            "\nOrder of the systems per repetition: "
            + "; ".join(", ".join(names) for names in order)
            + f". Load average (1 min, {_f((r.get('load_before') or {}).get('cores'), 0)} "
            f"cores): {(r.get('load_before') or {}).get('load_1min')} before, "
            f"{(r.get('load_after') or {}).get('load_1min')} after."
        )
    out.append(
        f"\nSustained (median processed ≥ 90 % of offered, posting drained, in most "
        f"repetitions): **{r['sustained_rate']} answers/s**. Bot totals over all repetitions: "
        f"acknowledged {t['acked']}, stored "
        f"{t['stored']}, lost {t['lost']}, stored twice {t['doubled_answers']}; the bot's posts "
        f"delivered {t['posts_delivered']}, doubled {t['doubled_posts']} (same thread and "
        f"text), {t.get('doubled_post_keys', '–')} (same post key).\n"
    )
    if several:
        w = several["totals"]
        out.append(
            f"The documented multi-process mode (`serve --workers {several['processes']}`, "
            "one leader for the scheduler and the resender): sustained "
            f"**{several['sustained_rate']} answers/s**; p99 "
            f"{_f(several.get('p99_ratio_at_100'), 2)}× the insert floor at 100/s, CPU "
            f"{_f(several.get('cpu_ratio_at_100'), 2)}× the lean floor. Acknowledged "
            f"{w['acked']}, stored {w['stored']}, lost {w['lost']}, stored twice "
            f"{w['doubled_answers']}; posts delivered {w['posts_delivered']}, doubled "
            f"{w['doubled_posts']} (same thread and text), {w.get('doubled_post_keys', '–')} "
            "(same post key).\n"
        )
    bot100 = r["bot"].get("100") or {}
    out.append(
        "Targets (issue 13): (1) bot CPU per answer ≤ 1.5× the *lean* floor at 100/s and "
        "≤ 2 ms of PostgreSQL per answer; (2) p99 ≤ 1.5× the *insert* floor at 100/s, and "
        "200/s sustained with p99 ≤ 300 ms, posting drained; nothing lost or doubled. "
        f"Result: (1) CPU {_f(r.get('cpu_ratio_at_100'), 2)}× the lean floor, PostgreSQL "
        f"{_f(bot100.get('pg_ms_per_answer'), 2)} ms → {_verdict(r.get('pass_cpu'))}; "
        f"(2) p99 {_f(r.get('p99_ratio_at_100'), 2)}× the insert floor at 100/s → "
        f"{_verdict(r.get('pass_latency'))}, 200/s sustained → "
        f"{_verdict(r.get('pass_sustained') or bool(several and several['pass_sustained']))}"
        f" (one process or several); overall {_verdict(r['pass'])}.\n"
    )
    return "\n".join(out)


def _figure2(r: dict[str, Any] | None) -> str:
    out = [
        "## 2. Fan-out of `/dialog start` under Slack's rate limits\n",
        "The fake Slack (own process) answers every call after a round trip of "
        f"{'–'.join(str(x) for x in (r or {}).get('latency_ms', [50, 150]))} ms and enforces "
        "chat.postMessage per channel (1 message/s, burst 3: Slack's one per second per "
        "channel with short bursts) and per workspace "
        f"({_f((r or {}).get('workspace_rate', 50), 0)}/s, burst "
        f"{(r or {}).get('workspace_burst', 50)}: Slack has a workspace-wide limit but "
        "publishes no number, so this one is assumed), plus the documented tier limits of the "
        "other methods (429 + Retry-After). `dialogbot serve` is configured with the same "
        "limits and paces its posts to them (token buckets per channel and workspace, "
        f"{(r or {}).get('workers', 16)} posting threads, keep-alive connections). A signed "
        "`/dialog start` from the process support starts a round of N managers: an "
        "announcement, then per manager a thread opening and the first question in it "
        "(2N + 1 posts). Measured: the ack (the checked command is stored before it; the "
        "round and all its posts are stored right after it), the time from the ack to the "
        "last first question delivered (the start and the fan-out; after the semicolon, "
        "from the command), 429s, and the CPU seconds of the bot process, the fake and the "
        "load-generating process, each from /proc over that time. The floor is "
        "max(*limits*: what the buckets impose, (posts − burst) / rate of the busiest "
        "bucket; *RTT*: posts × mean RTT (100 ms) / posting threads)."
        + _repeated(
            r,
            f" Each case runs {(r or {}).get('repetitions', 3)} times, each time in a fresh "
            "database, fake and bot process, the cases interleaved (one of each per "
            "repetition, in rotating order) after a warm-up (a small DM case, not counted); "
            "times, ratios and CPU are the medians (minimum–maximum in brackets), lost, "
            "doubled and 429s are added up over the repetitions, and the verdicts use the "
            "medians.",
        )
        + "\n",
    ]
    if r is None:
        return "\n".join(out) + _missing("figure2")
    out.append(
        "| case | managers | ack | prompts after s | limits floor s | RTT floor s | ratio | "
        "429s | lost | doubled | bot CPU ms/manager | fake / loadgen CPU s | load avg | "
        "verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    names = {
        "dm": "DM",
        "channel": "one channel, 10 msg/s (time-compressed)",
        "channel_real": "one channel, 1 msg/s",
    }
    for key, name in names.items():
        c = r.get(key)
        if c is None:
            continue
        load_avg = (
            " → ".join(str(b).split()[0] for b, _ in c.get("loadavg", [])) or c["loadavg_before"]
        )
        out.append(
            f"| {name} | {c['managers']} | {c.get('ack_status', 200)} after "
            f"{_spread(c, 'ack_s', 0, 1000)} ms | {_spread(c, 'elapsed_s')}; "
            f"{_f(c.get('from_command_s', c['elapsed_s']))} | "
            f"{_f(c['limits_floor_s'])} | {_f(c['rtt_floor_s'])} | "
            f"{_spread(c, 'ratio', 2)}× | "
            f"{c['post_429s']} | {c['lost']} | {c['doubled']} | "
            f"{_spread(c, 'bot_cpu_per_manager_ms', 2)} | {_f(c['fake_cpu_s'])} / "
            f"{_f(c['loadgen_cpu_s'])} | {load_avg} | "
            f"time {_verdict(c['ratio'] <= 1.1 and not c['lost'] and not c['doubled'])}, "
            f"ack {_verdict(c.get('ack_status', 200) == 200 and c['ack_s'] <= 3.0)}, "
            f"CPU {_verdict(bool(c.get('cpu_pass')))} |"
        )
    channel = (r.get("channel") or {}).get("managers", 1000)
    real = (r.get("channel_real") or {}).get("managers", 30)
    out.append(
        "\n1,000 managers in one channel at Slack's real 1 message/s take ≥ 2,000 s (the "
        "limit alone); the one-channel case runs with the channel's rate raised to 10/s in "
        f"the fake and the bot alike and {channel:,} managers (the channel's limit binds "
        "all the same; the ratio to the floor is what is measured), and the real rate is "
        f"measured with {real} managers. CPU per manager counts everything the bot process "
        "did from the command to the last prompt, its idle loops included (leader election, "
        f"resender, metrics), which dominate at {real} managers over half a minute. *Load "
        "avg*: the 1-minute load average at the start of each repetition.\n"
    )
    out.append(
        "Target: prompts within 1.1× of the floor, zero lost, zero doubled, ack ≤ 3 s, "
        f"≤ 2 ms bot CPU per manager. Result: {_verdict(r['pass'])} (per case above).\n"
    )
    return "\n".join(out)


def _figure3(lead: dict[str, Any] | None, slack: dict[str, Any] | None) -> str:
    out = [
        "## 3. SQL statements and transactions per answered message\n",
        "Counted on PostgreSQL. *Engine* is the dialog engine alone (`bench/sql_per_answer.py`, "
        "template `avstamning`); *Slack path* is a signed thread-reply event through the real "
        "Bolt app (`bench/sql_per_slack_answer.py`): the load and the write before the ack, "
        "then the reaction and the next question posted and their landing recorded. "
        "Statements by SQLAlchemy's `before_cursor_execute`; *commits* by its `commit` event; "
        "*server transactions* from `pg_stat_database` (every transaction PostgreSQL saw for "
        "the bench database, so a pool ping or any other round trip would show up there).\n",
        "| round size | engine statements | Slack path statements | Slack path commits | "
        "Slack path server transactions |\n|---|---|---|---|---|",
    ]
    engine_rows = {str(size): per for size, per in (lead or {}).get("rows", [])}
    slack_rows = (slack or {}).get("per_answer", {})
    transactions = (slack or {}).get("transactions", {})
    for size in ("10", "1000", "10000"):
        tx = transactions.get(size, {})
        out.append(
            f"| {int(size):,} | {_f(engine_rows.get(size), 2)} | {_f(slack_rows.get(size), 2)} | "
            f"{_f(tx.get('commits'), 2)} | {_f(tx.get('server_transactions'), 2)} |"
        )
    out.append(
        "\nTarget: constant in the round size and at most 8 statements. Engine: "
        f"{_verdict(lead.get('pass') if lead else None)}. Slack path: "
        f"{_verdict(slack.get('pass') if slack else None)}.\n"
    )
    return "\n".join(out)


def _load(r: dict[str, Any]) -> str:
    before, after = r.get("load_before"), r.get("load_after")
    if not before or not after:
        return ""
    return (
        f"Machine load (1-minute load average on {before['cores']:.0f} cores) "
        f"{before['load_1min']} before, {after['load_1min']} after."
    )


def _figure4(r: dict[str, Any] | None) -> str:
    out = [
        "## 4. Summary and DOCX export, 2,000 participants × 5 questions\n",
        "`bench/summary_render.py`, SQLite. The floor is a flat Jinja2 template writing the "
        "same 10,000 answers from the same prebuilt summary (our dataclasses, not dicts), "
        "without escaping. *Ours* renders that prebuilt summary with every text escaped for "
        "the format (Markdown, Slack mrkdwn: our templates with the roll-up, rates table and "
        "list of who has not answered), and writes the DOCX from the prebuilt export "
        "document. Floor and ours run interleaved in one loop (one of each per repetition, "
        "rotating order) after a warm-up, garbage collector off while timing; each time is "
        "the median of the repetitions, each ratio the median of the ratios within a "
        "repetition (floor and ours back to back: steadier while the load drifts). For context: loading the round and building the "
        "roll-up, the whole DOCX export (load, document, file), the first DOCX of a process "
        "(it builds the template once), and the naive python-docx way of writing the "
        "answers. Peak memory by tracemalloc.\n",
    ]
    if r is None or "rows" not in r or "floor_s" not in r["rows"]:
        return "\n".join(out) + _missing("figure4")
    rows = r["rows"]

    def ms(key: str) -> str:
        value = rows.get(key)
        return "–" if value is None else f"{value * 1000:,.1f} ms"

    out.append("| measurement | median | ratio to the floor |\n|---|---|---|")
    out.append(f"| floor: flat Jinja2, same prebuilt answers | {ms('floor_s')} | 1× |")
    out.append(
        f"| summary, Markdown (escaped render) | {ms('summary_md_s')} | "
        f"**{_f(rows.get('ratio_md'), 2)}×** |"
    )
    out.append(
        f"| summary, Slack mrkdwn (escaped render) | {ms('summary_mrkdwn_s')} | "
        f"**{_f(rows.get('ratio_mrkdwn'), 2)}×** |"
    )
    out.append(
        f"| DOCX (document.xml from the template) | {ms('docx_s')} | **{_f(rows.get('ratio_docx'), 2)}×** |"
    )
    out.append(f"| context: load the round + roll-up | {ms('load_and_build_s')} | |")
    out.append(f"| context: whole DOCX export (load, document, file) | {ms('docx_export_s')} | |")
    out.append(
        f"| context: first DOCX of a process (builds the template) | {ms('first_docx_s')} | |"
    )
    out.append(f"| context: naive python-docx, one paragraph per answer | {ms('bare_docx_s')} | |")
    out.append(
        f"\n{rows.get('repeat', '?')} repetitions. Peak memory: summary "
        f"{_f(rows.get('peak_md_mb'), 1)} MB, DOCX {_f(rows.get('peak_docx_mb'), 1)} MB, floor "
        f"{_f(rows.get('peak_floor_mb'), 1)} MB. {_load(rows)}\n"
    )
    out.append(
        f"Target: ≤ 3× the floor. Result: Markdown {_f(rows.get('ratio_md'), 2)}×, mrkdwn "
        f"{_f(rows.get('ratio_mrkdwn'), 2)}×, DOCX {_f(rows.get('ratio_docx'), 2)}× "
        f"→ {_verdict(r.get('pass'))}.\n"
    )
    return "\n".join(out)


def _figure5(r: dict[str, Any] | None) -> str:
    out = [
        "## 5. Start-up and idle footprint\n",
        "`dialogbot serve --mode http` with the scheduler, on PostgreSQL and the fake Slack. "
        "Startup: spawn to the first `/healthz` answer (database connect, migration check, "
        'auth.test, scheduler start). Floor: `python -c "import slack_bolt, sqlalchemy"` '
        "to completion. RSS from /proc after 5 s idle. Medians of 3 runs. The CLI: "
        "`dialogbot --help` (the parser only) and `dialogbot round list` (a typical command, "
        "empty migrated SQLite) each against the import floor of the third-party packages "
        "it loads, all to completion with a bytecode cache, interleaved, medians of 7 after "
        "a warm-up.\n",
    ]
    if r is None:
        return "\n".join(out) + _missing("figure5")
    out.append(
        "| measurement | value |\n|---|---|\n"
        f"| serve startup | {_f(r['startup_s'], 2)} s |\n"
        f"| import floor (slack_bolt, sqlalchemy) | {_f(r['import_floor_s'], 2)} s |\n"
        f"| ratio | {_f(r['startup_ratio'], 2)}× |\n"
        f"| serve idle RSS | {_f(r['idle_rss_mb'], 0)} MB |\n"
        f"| RSS after only importing slack_bolt, sqlalchemy | "
        f"{_f(r.get('import_floor_rss_mb'), 0)} MB |"
    )
    if "serve_floor_rss_mb" in r:
        out.append(
            f"| RSS after only importing what serve needs idle | "
            f"{_f(r['serve_floor_rss_mb'], 0)} MB |"
        )
    if "cli_ratio_cpu" in r:
        out.append(
            f"| `dialogbot --help` CPU (user + system) | {_f(r['cli_cpu_s'], 2)} s |\n"
            f"| its floor CPU | {_f(r['cli_floor_cpu_s'], 2)} s |\n"
            f"| **ratio, CPU** | **{_f(r['cli_ratio_cpu'], 2)}×** |\n"
            f"| `dialogbot --help` wall | {_f(r['cli_wall_s'], 2)} s |\n"
            f"| its floor wall | {_f(r['cli_floor_wall_s'], 2)} s |\n"
            f"| ratio, wall | {_f(r['cli_ratio_wall'], 2)}× |"
        )
    if "cmd_ratio_cpu" in r:
        out.append(
            f"| `dialogbot round list` CPU (user + system) | {_f(r['cmd_cpu_s'], 2)} s |\n"
            f"| its floor CPU | {_f(r['cmd_floor_cpu_s'], 2)} s |\n"
            f"| **ratio, CPU** | **{_f(r['cmd_ratio_cpu'], 2)}×** |\n"
            f"| `dialogbot round list` wall | {_f(r['cmd_wall_s'], 2)} s |\n"
            f"| its floor wall | {_f(r['cmd_floor_wall_s'], 2)} s |\n"
            f"| ratio, wall | {_f(r['cmd_ratio_wall'], 2)}× |"
        )
    out[-1] += "\n"
    if "cli_ratio_cpu" in r:
        floors = f'`--help` floor: `python -c "{r["cli_floor"]}"`.'
        if "cmd_floor" in r:
            floors += f' `round list` floor: `python -c "{r["cmd_floor"]}"`.'
        if "serve_floor" in r:
            floors += f' Serve floor: `python -c "{r["serve_floor"]}"`.'
        out.append(f"{floors} {_load(r)}\n")
    cli = max(r.get("cli_ratio_cpu", 99), r.get("cmd_ratio_cpu", 0))
    out.append(
        "Targets: CLI start ≤ 1.5× its import floor, idle RSS ≤ 60 MB. Result: CLI "
        f"{_f(r.get('cli_ratio_cpu'), 2)}× (`--help`, CPU)"
        + (f", {_f(r['cmd_ratio_cpu'], 2)}× (`round list`, CPU)" if "cmd_ratio_cpu" in r else "")
        + f", idle RSS {_f(r['idle_rss_mb'], 0)} MB → "
        f"{_verdict(cli <= 1.5 and r['idle_rss_mb'] <= 60)}.\n"
    )
    return "\n".join(out)


def _figure6(r: dict[str, Any] | None) -> str:
    out = [
        "## 6. Close + summary: 10,000 units against 1,000\n",
        "`bench/close_scaling.py`, SQLite. A `planering` round (5 questions) over N units, "
        "every manager having answered every question; timed: closing the round (which builds "
        "its summary) and rendering the summary as Markdown. One database per size, one round "
        "per repetition; the sizes interleaved after a warm-up round each; medians of 3.\n",
    ]
    if r is None:
        return "\n".join(out) + _missing("figure6")
    small, large = (str(size) for size in r["sizes"])
    out.append(
        "| units | close + summary (median) |\n|---|---|\n"
        f"| {int(small):,} | {_f(r['median_s'][small], 2)} s |\n"
        f"| {int(large):,} | {_f(r['median_s'][large], 2)} s |\n"
    )
    out.append(
        f"Target: ≤ 12× the time at 1,000 units. Result: **{_f(r['ratio'], 1)}×** → "
        f"{_verdict(r.get('pass'))}. {_load(r)}\n"
    )
    return "\n".join(out)


def _figure7(r: dict[str, Any] | None) -> str:
    out = [
        "## 7. Teams fan-out against Teams' rate limits\n",
        "`dialog start` on Microsoft Teams for 200 managers who have not written to the bot: "
        "per manager a personal chat is created and the first question card posted, plus the "
        "announcement: 2N + 1 Connector calls. The fake Bot Connector (in process, real time) "
        "answers 429 to any call over 30/s per tenant or 7/s, 60/30 s per conversation. "
        "Floor: what the tenant limit alone imposes, (2N + 1 − 30) / 30 s."
        + _repeated(
            r,
            f" {(r or {}).get('repetitions', 3)} fan-outs, each on a fresh database, fake and "
            "bot, after a warm-up fan-out that is not counted: times and the ratio are their "
            "medians (minimum–maximum in brackets), lost, doubled and 429s are added up.",
        )
        + " Target: ≤ 1.2× the floor, none lost or doubled, no 429.\n",
    ]
    if r is None:
        return "\n".join(out) + _missing("figure7")
    out.append(
        "| managers | calls | ack | time | floor | ratio | lost | doubled | 429s | verdict |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {r['managers']} | {r['connector_calls']} | {_spread(r, 'ack_s', 2)} s | "
        f"{_spread(r, 'elapsed_s', 2)} s | "
        f"{_f(r['floor_s'], 2)} s | {_spread(r, 'ratio', 2)}× | {r['lost']} | {r['doubled']} | "
        f"{r['limit_hits']} | {_verdict(r.get('pass'))} |\n"
    )
    if _load(r):
        out.append(_load(r) + "\n")
    out.append(
        "*ack*: the HTTP response to the command (only the command is stored before it; "
        "the round starts right after); *time*: from the command to the last card delivered "
        "(the start included); *429s*: calls the fake found over a limit (retried after "
        "Retry-After, so none is lost). The client-side limiter counts a call from its "
        "answer, and while it is in flight as inside every window, so no window at Teams "
        "is exceeded whatever the jitter between sending a call and its arrival.\n"
    )
    return "\n".join(out)


DRILL_TITLES = {
    "drill_retries": "Every event delivered 1 + 3 times",
    "drill_kill9": "kill -9 of the bot under load, then restart",
    "drill_replicas": "Two HTTP replicas on one PostgreSQL behind round-robin",
    "drill_slack_outage": "The fake Slack answers 429/500 for 30 s",
    "drill_pg_restart": "PostgreSQL restarted under load",
    "drill_crash_after_ack": "kill -9 between the ack and the posts, then restart",
    "drill_form_outage": "Form submissions while PostgreSQL is unreachable",
    "drill_backup_restore": "Backup, database dropped, restore, round finished",
}


def _drill(name: str, r: dict[str, Any] | None) -> str:
    out = [f"### {DRILL_TITLES[name]}\n"]
    if r is None:
        return "\n".join(out) + _missing(name)
    out.append(f"Procedure: {r['procedure']}\n")
    keys = (
        "acked",
        "stored",
        "lost",
        "never_stored",
        "doubled_answers",
        "misplaced_participants",
        "posts_delivered",
        "post_keys_sent",
        "doubled_posts",
        "posts_not_sent",
        "given_up_by_design",
        "reactions_missing",
        "delivery_statuses",
        "jobs",
        "unsent_posts_at_kill",
        "answers_without_followup_at_kill",
        "answers_without_followup",
        "followups_all_posted_after_restart_s",
        "forms",
        "acked_during_outage",
        "refused_during_outage",
        "refused_how",
        "stored_after_resubmission",
        "answer_revisions",
        "followups_sent",
        "outbox_settled_after_s",
        "identical_after_restore",
        "backup_bytes",
        "backup_s",
        "restore_s",
    )
    facts = [f"{k.replace('_', ' ')}: `{r[k]}`" for k in keys if k in r]
    out.append("Outcome: " + "; ".join(facts) + f". → {_verdict(r.get('pass'))}\n")
    return "\n".join(out)


def render(notes: str = "") -> str:
    """The whole BENCHMARKS.md."""
    results = load_results()
    m = machine()
    date = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())
    lead3 = results.get("figure3_sql_per_answer")
    parts = [
        "# Benchmarks and fault drills\n",
        "Generated by `make bench` (`python -m bench`; one part: `python -m bench figure1`, "
        "`… drill_kill9`, `… report`). Every speed figure is a ratio against a floor measured "
        "in the same run; floor and ours run interleaved after a warm-up and each figure is a "
        "median of repetitions, with the machine's load average noted where it matters. Raw "
        "results: `bench/results/*.json` (each with its own time).\n",
        "Needs: Python 3.11 and make (`make bench` builds the virtual environment), and a "
        "PostgreSQL server for figures 1-3, 5 and the drills "
        "(`$DIALOGBOT_BENCH_DATABASE_URL`, default `postgresql://postgres@127.0.0.1:5432/test`; "
        "each part creates its own database, records its name before creating it, and drops "
        "only what it recorded); figures 4 and 6 run on SQLite.\n",
        f"- Date (`date -u`): {date}\n- Machine: {m['cpu']}, {m['cores']} cores (nproc), "
        f"{m['memory']} RAM, {m['os']}\n- Python {m['python']}, PostgreSQL {m['postgresql']} "
        "on 127.0.0.1 (same machine)\n",
        "Everything runs on the same 2 cores: the bot, PostgreSQL, the fake Slack and the "
        "load generator (each in its own process).\n",
        notes,
        _figure1(results.get("figure1_ack_latency")),
        _figure2(results.get("figure2_fanout")),
        _figure3(lead3, results.get("figure3_sql_per_slack_answer")),
        _figure4(results.get("figure4_summary_render")),
        _figure5(results.get("figure5_footprint")),
        _figure6(results.get("figure6_close_scaling")),
        _figure7(results.get("figure7_teams_fanout")),
        "## Fault drills\n",
        "The real `dialogbot serve` on PostgreSQL, the fake Slack in its own process, thread "
        "replies from the open-loop load generator. *lost*: acknowledged with 200 but not "
        "stored; *never stored*: not stored even after Slack's retries of what got no 200; "
        "*misplaced*: participants whose position differs from the answers they gave; "
        "*posts delivered* vs *post keys sent*: Slack received exactly one message per "
        "claimed post key; *posts not sent*: claims left pending/failed at the end.\n",
    ]
    parts += [_drill(name, results.get(name)) for name in DRILL_TITLES]
    return "\n".join(p for p in parts if p)


def write(notes_path: Path | None = None) -> Path:
    """Write BENCHMARKS.md (with the analysis in ``bench/NOTES.md`` if present)."""
    path = notes_path or Path(__file__).resolve().parent / "NOTES.md"
    notes = path.read_text() if path.exists() else ""
    OUT.write_text(render(notes))
    return OUT
