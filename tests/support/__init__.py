"""Helpers shared by test modules: the Slack harness, the sample organisation, scheduler
drivers. Fixtures live in ``tests/conftest.py``, test doubles in ``tests/fakes/``; no test
module imports from another test module (``tests/test_architecture.py`` checks it).

Like ``fakes``, this package is imported as ``support`` (pytest puts ``tests/`` on
``sys.path``).
"""
