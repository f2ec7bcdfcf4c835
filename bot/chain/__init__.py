"""The dialog chain: plan → avstämning → resultat.

Earlier answers shown as context (:mod:`bot.chain.context`), activities named in
dialogs and followed up in the next one (:mod:`bot.chain.activities`), evaluations
after a dialog meeting (:mod:`bot.chain.evaluation`) and the documentation a
municipality files (:mod:`bot.chain.export`).
"""
