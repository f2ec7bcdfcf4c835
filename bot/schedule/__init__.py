"""The annual schedule (årsschema): configuration, business-time arithmetic and planning.

The modules exported here are pure: they never read the clock, the database or
Slack. Callers pass "now" (from :class:`bot.clock.Clock`) and persist what they plan.
The scheduler that does (the worker) lives in :mod:`bot.schedule.scheduler` and
:mod:`bot.schedule.cli`, which are imported explicitly; stored schedules and the job queue
are use cases in :mod:`bot.services.schedule` and :mod:`bot.services.jobs`, with their SQL
in :mod:`storage.schedule`, :mod:`storage.jobs` and :mod:`storage.all_workspaces`.
"""
