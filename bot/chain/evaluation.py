"""Evaluation after a dialog meeting: "Vad fungerade bra?" and "Vad kan bli bättre?".

An evaluation is an ordinary round of the built-in ``utvardering`` template, sent to the
participants of the original round (the managers of its units) and linked to it by
its external key ``evaluation:<round id>``, so sending twice starts it once. Its
results are part of the original round's export. Evaluations are anonymous unless
asked otherwise (honest feedback on a meeting needs no names), and an anonymous
evaluation is delivered privately like every anonymous round (the engine sees to it).
The units are those the original round was sent to, which an anonymous round keeps
after its links to people are erased.
"""

from __future__ import annotations

from bot.chain.export import evaluation_key
from bot.domain.commands import StartRound
from bot.domain.errors import InvalidInput
from bot.domain.results import RoundStarted
from bot.domain.text_input import TITLE_MAX, clip
from bot.i18n import t
from bot.services.container import Services

EVALUATION_TEMPLATE = "utvardering"


def send_evaluation(
    services: Services,
    workspace: str,
    round_id: int,
    *,
    started_by: str | None = None,
    anonymous: bool = True,
) -> RoundStarted:
    """Start the evaluation round of ``round_id`` (idempotent: the first one is returned)."""
    info = services.queries.round_info(workspace, round_id)
    if info.template_key == EVALUATION_TEMPLATE:
        raise InvalidInput(f"round {round_id} is itself an evaluation")
    units = services.rounds.invited_units(workspace, round_id)
    return services.rounds.start_round(
        workspace,
        StartRound(
            template=EVALUATION_TEMPLATE,
            units=units,
            group_ref=info.group_ref,
            subtrees=False,
            anonymous=anonymous,
            lang=info.lang,
            started_by=started_by,
            title=clip(t(info.lang, "chain.evaluation.title", title=info.title), TITLE_MAX),
            delivery=info.delivery,
            external_key=evaluation_key(round_id),
        ),
    )
