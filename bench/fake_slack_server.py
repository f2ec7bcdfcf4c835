"""The fake Slack Web API (``tests/fakes``) in a process of its own, so it does not share a
GIL with the bot or the load generator.

Prints ``PORT <n>`` once it listens. Benchmarks steer it through extra API methods
(``bench.*``, answered by :meth:`FakeSlack.on` handlers) with the bot's token:

* ``bench.rate_limits`` ``{per_channel_post_per_s, burst, tiers, workspace_post_per_s,
  workspace_burst}``: Slack-like 429s (``tiers`` true: the documented tier limits for the
  other methods; ``workspace_post_per_s``: a workspace-wide chat.postMessage limit);
* ``bench.latency`` ``{low_ms, high_ms}``: every answer after a round trip drawn from that
  range (Slack over the internet);
* ``bench.no_rate_limits``; ``bench.fail_for`` ``{seconds, status, retry_after}``;
  ``bench.clear_faults``;
* ``bench.prompt_count``: how many thread posts were delivered (cheap to poll);
* ``bench.posts`` ``{since}``: every chat.postMessage attempt (from the ``since``-th on) as
  ``[channel, thread_ts, text, ok, at, key]`` (``key``: the post key the sender put in the
  message metadata, empty without one), ``total``: how many attempts there are in all (the
  next ``since`` for a record of only what comes later), and a count of calls per method
  and status (of the whole record).

Run: ``python -m bench.fake_slack_server``.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import Counter
from typing import Any

from fakes import SLACK_TIER_LIMITS_PER_MINUTE, FakeSlack

TOKEN = "xoxb-bench-token"

#: What ``bench.fail_for`` fails: every Web API method the bot uses (not the controls).
SLACK_METHODS = frozenset(
    {
        "auth.test",
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "reactions.add",
        "conversations.open",
        "conversations.history",
        "conversations.replies",
        "views.open",
        "views.publish",
        "users.info",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "upload",
    }
)


def _install_controls(fake: FakeSlack) -> None:
    def rate_limits(args: dict[str, Any]) -> dict[str, Any]:
        tiers = str(args.get("tiers", "true")).lower() == "true"
        fake.rate_limits(
            per_channel_post_per_s=float(args.get("per_channel_post_per_s", 1.0)),
            burst=int(args.get("burst", 1)),
            method_per_minute=dict(SLACK_TIER_LIMITS_PER_MINUTE) if tiers else None,
            workspace_post_per_s=float(args["workspace_post_per_s"])
            if args.get("workspace_post_per_s")
            else None,
            workspace_burst=int(args.get("workspace_burst", 1)),
        )
        return {"ok": True}

    def latency(args: dict[str, Any]) -> dict[str, Any]:
        fake.latency(float(args["low_ms"]) / 1000, float(args["high_ms"]) / 1000)
        return {"ok": True}

    def no_rate_limits(_args: dict[str, Any]) -> dict[str, Any]:
        fake.disable_rate_limits()
        return {"ok": True}

    def fail_for(args: dict[str, Any]) -> dict[str, Any]:
        fake.fail_for(
            float(args["seconds"]),
            int(args["status"]),
            methods=set(SLACK_METHODS),
            retry_after=int(args.get("retry_after", 1)),
        )
        return {"ok": True}

    def clear_faults(_args: dict[str, Any]) -> dict[str, Any]:
        fake.clear_faults()
        return {"ok": True}

    def posts(args: dict[str, Any]) -> dict[str, Any]:
        calls = [c for c in fake.calls() if not c.method.startswith("bench.")]
        statuses = Counter(f"{c.method} {c.status}{'' if c.ok else ' not-ok'}" for c in calls)
        made = [c for c in calls if c.method == "chat.postMessage"]
        return {
            "ok": True,
            "posts": [
                [
                    str(c.response.get("channel") or c.args.get("channel") or ""),
                    str(c.args.get("thread_ts") or ""),
                    str(c.args.get("text") or ""),
                    c.ok,
                    c.at,
                    _post_key(c.arg_json("metadata")),
                ]
                for c in made[int(args.get("since") or 0) :]
            ],
            "total": len(made),
            "statuses": dict(statuses),
            "violations": len(fake.spec_violations) + len(fake.block_kit_errors),
            "fake_errors": list(fake.fake_errors[:5]),
        }

    def prompt_count(_args: dict[str, Any]) -> dict[str, Any]:
        delivered = fake.delivered("chat.postMessage")
        return {"ok": True, "prompts": sum(1 for c in delivered if c.args.get("thread_ts"))}

    for name, handler in (
        ("bench.prompt_count", prompt_count),
        ("bench.rate_limits", rate_limits),
        ("bench.no_rate_limits", no_rate_limits),
        ("bench.latency", latency),
        ("bench.fail_for", fail_for),
        ("bench.clear_faults", clear_faults),
        ("bench.posts", posts),
    ):
        fake.on(name, handler)


def _post_key(metadata: Any) -> str:
    """The post key a sender put in a message's metadata (``event_payload.key``), or ""."""
    if not isinstance(metadata, dict):
        return ""
    payload = metadata.get("event_payload")
    return str(payload.get("key") or "") if isinstance(payload, dict) else ""


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    fake = FakeSlack(default_token=TOKEN, check_spec=True)
    _install_controls(fake)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"PORT {fake.port}", flush=True)
    sys.stdout.flush()
    stop.wait()
    fake.close()


if __name__ == "__main__":
    main()
