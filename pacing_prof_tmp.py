import time, cProfile, pstats, sys, logging
from bench.harness import bench_database, TEAM, GROUP_CHANNEL, ORGANISER, FakeSlackProc
from bench.orgs import build_org
from bot.engine import StartRound
from bot.slack.poster import Poster, make_client
from bot.slack.pacing import Pacer, Limits
from bot.slack.notifier import SlackNotifier, landing_hook, landing_batch_hook
from storage.outbox import OutboxStore
from storage.db import make_session_factory
logging.basicConfig(level=logging.INFO, stream=open('/dev/null','w'))
N = int(sys.argv[1])
fake = FakeSlackProc()
fake.control("bench.latency", low_ms=0, high_ms=0)
try:
  with bench_database('prof') as db:
    build_org(make_session_factory(db.engine), TEAM, N)
    e = db.dialog_engine()
    client = make_client(fake.base_url, "xoxb-bench-token")
    poster = Poster(OutboxStore(e.session_factory), on_landed=landing_hook(e), on_landed_many=landing_batch_hook(e), pacer=Pacer(Limits(per_workspace_per_s=50, workspace_burst=50)))
    n = SlackNotifier(e, poster, lambda ws: client)
    pr = cProfile.Profile()
    c=time.process_time(); t=time.perf_counter()
    pr.enable()
    s = e.start_round(TEAM, StartRound('planering', ['forv'], GROUP_CHANNEL, level='enhet', started_by=ORGANISER, delivery='dm', title='x'))
    c1=time.process_time()
    p = n.plan_round_start(s)
    c2=time.process_time()
    from dataclasses import replace
    from bot.slack.poster import LandingBatch
    batch = LandingBatch(poster)
    for chain in p.chains:
        poster.send_planned(client, replace(p.planned, posts=chain), batch)
    batch.flush()
    pr.disable()
    c3=time.process_time()
    print('start', c1-c, 'plan', c2-c1, 'send', c3-c2, 'wall', time.perf_counter()-t)
    pstats.Stats(pr).sort_stats(sys.argv[2] if len(sys.argv)>2 else 'tottime').print_stats(35)
finally:
  fake.stop()
