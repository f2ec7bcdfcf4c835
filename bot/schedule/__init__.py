"""The annual schedule (årsschema): configuration, business-time arithmetic and planning.

The modules exported here are pure: they never read the clock, the database or
Slack. Callers pass "now" (from :class:`bot.clock.Clock`) and persist what they plan.
The scheduler that does (the worker) lives in :mod:`bot.schedule.scheduler` and
:mod:`bot.schedule.cli`, which are imported explicitly; stored schedules and the job queue
are use cases in :mod:`bot.services.schedule` and :mod:`bot.services.jobs`, with their SQL
in :mod:`storage.schedule`, :mod:`storage.jobs` and :mod:`storage.all_workspaces`.
"""

from bot.schedule.calendar import (
    is_business_day,
    local_moment,
    next_business_day,
    next_business_moment,
    previous_business_day,
)
from bot.schedule.config import (
    AnnualSchedule,
    RoundConfig,
    load_preset,
    load_schedule,
    load_schedule_text,
    parse_schedule,
    preset_path,
)
from bot.schedule.errors import ScheduleError, ScheduleIssue
from bot.schedule.plan import (
    PlannedItem,
    PlannedReminder,
    PlannedRound,
    due_between,
    plan_reminders,
    plan_year,
)
from bot.schedule.render import format_year_calendar, format_year_table

__all__ = [
    "AnnualSchedule",
    "PlannedItem",
    "PlannedReminder",
    "PlannedRound",
    "RoundConfig",
    "ScheduleError",
    "ScheduleIssue",
    "due_between",
    "format_year_calendar",
    "format_year_table",
    "is_business_day",
    "load_preset",
    "load_schedule",
    "load_schedule_text",
    "local_moment",
    "next_business_day",
    "next_business_moment",
    "parse_schedule",
    "plan_reminders",
    "plan_year",
    "preset_path",
    "previous_business_day",
]
