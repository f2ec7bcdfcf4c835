import time, os
from bench.harness import FakeSlackProc
from bot.slack.poster import make_client
from bot.slack import blocks
fake = FakeSlackProc()
try:
    client = make_client(fake.base_url, "xoxb-bench-token")
    c = time.process_time(); t = time.perf_counter()
    for i in range(300):
        client.chat_postMessage(channel=f"U{i:07d}", text="hej", metadata={"event_type": "x", "event_payload": {"key": f"k{i}"}}, unfurl_links=False, unfurl_media=False)
    print("per post cpu ms", (time.process_time() - c) / 300 * 1000, "wall ms", (time.perf_counter() - t) / 300 * 1000)
    import http.client, json
    conn = http.client.HTTPConnection("127.0.0.1", fake.port)
    c = time.process_time()
    for i in range(300):
        body = json.dumps({"channel": f"U{i:07d}", "text": "hej"})
        conn.request("POST", "/api/chat.postMessage", body, {"Content-Type": "application/json", "Authorization": "Bearer xoxb-bench-token"})
        json.loads(conn.getresponse().read())
    print("keepalive per post cpu ms", (time.process_time() - c) / 300 * 1000)
finally:
    fake.stop()
