"""Open-loop load generator: sends signed thread-reply events at a fixed rate, in a process
of its own (``python -m bench.loadgen plan.json out.json``).

Delivery ``i`` is due at ``t0 + i / rate`` whatever happened to earlier ones (open loop);
a pool of threads with keep-alive connections sends them. Latency is measured from the
*due* time to the HTTP response, so a server that falls behind is not flattered by the
generator waiting for it (no coordinated omission). With ``copies`` > 1 every event is
delivered that many times back to back (the same event id, ``X-Slack-Retry-Num`` 1, 2, …),
which makes the copies race each other like Slack's retries of a slow ack.
"""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from fakes.signing import JSON, event_callback_body, message_event, sign


def _bodies(config: dict[str, Any]) -> list[tuple[str, int]]:
    copies = int(config.get("copies", 1))
    out: list[tuple[str, int]] = []
    for channel, thread_ts, user, text, ts in config["items"]:
        event = message_event(text=text, user=user, channel=channel, ts=ts, thread_ts=thread_ts)
        body = event_callback_body(event, config["team"], f"Ev{ts.replace('.', '')}{channel}")
        out.extend((body, retry) for retry in range(copies))
    return out


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Send everything in ``config``; per delivery (due, sent, done, status) in seconds from t0."""
    bodies = _bodies(config)
    rate = float(config["rate"])
    copies = int(config.get("copies", 1))
    port = int(config["port"])
    secret = str(config["secret"])
    timeout = float(config.get("timeout", 30))
    rows: list[tuple[float, float, float, int]] = [(0.0, 0.0, 0.0, -1)] * len(bodies)
    counter = itertools.count()
    lock = threading.Lock()
    t0 = time.perf_counter() + 0.2
    wall0 = time.time() + 0.2

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        while True:
            with lock:
                i = next(counter)
            if i >= len(bodies):
                break
            body, retry = bodies[i]
            due = (i // copies) / rate
            wait = t0 + due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            headers = sign(body, secret, content_type=JSON)
            if retry:
                headers["X-Slack-Retry-Num"] = str(retry)
                headers["X-Slack-Retry-Reason"] = "http_timeout"
            sent = time.perf_counter() - t0
            status = 0
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("POST", "/slack/events", body.encode(), headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            rows[i] = (due, sent, time.perf_counter() - t0, status)
        if conn is not None:
            conn.close()

    threads = [
        threading.Thread(target=worker, daemon=True) for _ in range(int(config.get("workers", 64)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"started": wall0, "rows": rows}


def main() -> None:
    """``python -m bench.loadgen PLAN OUT``."""
    config = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(run(config)))


if __name__ == "__main__":
    main()
