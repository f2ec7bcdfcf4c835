"""The service layer: the only code that opens a unit of work.

Each module holds the use cases of one group (rounds, answering, activities, queries,
absences, …). A use case is one transaction run through :class:`~bot.services.kernel.ServiceKernel`;
adapters (Slack, Teams, console, scheduler, CLI) call these and never touch a session or a
repository.
"""
