"""Dialog templates: the shipped ones are verbatim, malformed ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.templates import TemplateCatalog, TemplateError, load_template_file

DOMAIN_QUESTIONS = {
    "planering": [
        "Vilket är vårt grunduppdrag? (vem finns vi till för, vad vill de, vilka förutsättningar har vi)",
        "Vilket är vårt nuläge (utifrån tidigare utfall av ekonomi, utvecklingsmål och kvalitetsfaktorer)",
        "Hur ser våra ekonomiska förutsättningar ut (budgetförutsättningar)?",
        "Vilka är våra två till tre viktigaste utvecklingsutmaningar/mål till kommande år? Vilka är våra aktiviteter kommande år för att nå dem (hur har vi tänkt arbeta)",
        "Vilka är de kvalitetsfaktorer och -mått som ger organisationen kontroll på verksamheten? (vad ger oss siffror/ribbor på det som är grundläggande kvalitet i verksamheten)",
    ],
    "avstamning": [
        "Hur går det?",
        "Varför är vi där vi är? (analys)",
        "Vilka är våra vidare aktiviteter?",
    ],
    "resultat": [
        "Hur blev det ekonomiska utfallet? Varför?",
        "Hur blev utfallet för de två till tre utvecklingsmålen? Varför?",
        "Hur blev utfallet av kvalitetsmåtten? Varför?",
        "Vilka är de viktigaste avvikelserna? Vad lär vi oss av avvikelserna?",
    ],
}


def test_phase_templates_quote_the_domain_questions_verbatim(catalog: TemplateCatalog) -> None:
    for key, questions in DOMAIN_QUESTIONS.items():
        template = catalog.get(key)
        assert [q.text.sv for q in template.questions] == questions
        assert all(q.hint and q.hint.sv and q.hint.en for q in template.questions)
        assert all(q.text.en for q in template.questions)


def test_all_seed_templates_ship(catalog: TemplateCatalog) -> None:
    keys = {t.key for t in catalog}
    assert {
        "planering",
        "avstamning",
        "resultat",
        "verksamhetside",
        "mandatperiodsuppstart",
        "uppstartsworkshop",
    } <= keys
    overarching = {
        key: q.sv if (q := catalog.get(key).overarching_question) else None
        for key in ("planering", "avstamning")
    }
    assert overarching == {
        "planering": "Var står vi idag och vad vill vi uppnå?",
        "avstamning": "Hur går det och varför?",
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_field_names_the_file_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "trasig.yaml",
        "key: trasig\nversion: 1\nphase: avstamning\nname: {sv: Trasig}\n"
        "questions:\n  - key: a\n    text: {sv: Fråga A}\n  - key: b\n    text: {en: only english}\n",
    )
    with pytest.raises(TemplateError) as err:
        load_template_file(path)
    message = str(err.value)
    assert str(path) in message
    assert "question 2 (b), field text, Swedish text (sv): is missing but required" in message


def test_unknown_fields_wrong_types_and_bad_yaml_are_explained(tmp_path: Path) -> None:
    typo = write(
        tmp_path,
        "typo.yaml",
        "key: typo\nversion: ett\nphase: avstamning\nname: {sv: T}\nquestons: []\n",
    )
    with pytest.raises(TemplateError) as err:
        load_template_file(typo)
    text = str(err.value)
    assert "field version: must be a whole number such as 1 or 2, not 'ett'" in text
    assert "field questons: unknown field" in text
    broken = write(tmp_path, "broken.yaml", "key: broken\nquestions: [\n")
    with pytest.raises(TemplateError, match=r"broken.yaml: not valid YAML at line"):
        load_template_file(broken)
    mismatch = write(
        tmp_path,
        "namn.yaml",
        "key: annat\nversion: 1\nphase: annan\nname: {sv: X}\nquestions: [{key: a, text: {sv: A}}]\n",
    )
    with pytest.raises(
        TemplateError, match="field key: the key must be 'namn' \\(the file name\\), not 'annat'"
    ):
        load_template_file(mismatch)


def test_duplicate_question_keys_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dubbel.yaml",
        "key: dubbel\nversion: 1\nphase: annan\nname: {sv: D}\n"
        "questions: [{key: a, text: {sv: A}}, {key: a, text: {sv: B}}]\n",
    )
    with pytest.raises(
        TemplateError, match="question 2 \\(a\\): the question key 'a' is already used"
    ):
        load_template_file(path)


def test_validate_command_for_template_authors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(
        tmp_path,
        "egen.yaml",
        "key: egen\nversion: 2\nphase: annan\nname: {sv: Egen}\nquestions: [{key: a, text: {sv: 'A?'}}]\n",
    )
    assert main(["--lang", "en", "templates", "validate", str(good)]) == 0
    assert "egen v2, 1 questions" in capsys.readouterr().out
    write(
        tmp_path,
        "dalig.yaml",
        "key: dalig\nversion: 0\nphase: annan\nname: {sv: D}\nquestions: []\n",
    )
    assert main(["templates", "validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "dalig.yaml" in out
    assert "fältet version: ska vara minst 1" in out
    assert "fältet questions: får inte vara tom (minst 1)" in out


def test_the_builtin_templates_read_the_same_on_libyaml() -> None:
    """A server reads the built-in templates on libyaml (``load_trusted_yaml``): the same
    values as the pure-Python strict loader, file by file."""
    from bot.domain.safe_yaml import load_trusted_yaml, load_yaml
    from bot.domain.templates import builtin_template_dir

    files = sorted(builtin_template_dir().glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_trusted_yaml(text) == load_yaml(text), path.name


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # alias
        "a: 1\nb: 2\na: 3\n",  # duplicate key
        "[" * 40 + "]" * 40,  # too deep
        "a: [\n",  # syntax error
        "a: 1\n---\nb: 2\n",  # two documents
    ],
)
def test_the_libyaml_loader_refuses_what_the_strict_loader_refuses(text: str) -> None:
    from bot.domain.safe_yaml import UserFileError, load_trusted_yaml, load_yaml

    with pytest.raises(UserFileError) as expected:
        load_yaml(text)
    with pytest.raises(UserFileError) as got:
        load_trusted_yaml(text)
    assert (got.value.key, got.value.params) == (expected.value.key, expected.value.params)
