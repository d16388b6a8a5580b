"""The caring-promise command: chat answers every intent from content; content check passes."""

from typer.testing import CliRunner

from api.cli import app
from api.content import get_pack
from api.contract import CONTRACT_INTENTS

runner = CliRunner()


def test_chat_answers_every_intent_from_content(engine):
    # talk_to_worker starts a form that would take the next lines as answers (tests/test_requests.py)
    intents = [i for i in CONTRACT_INTENTS if i not in {"give_feedback", "talk_to_worker"}]
    script = "\n".join(f"/{i}" for i in intents) + "\nquit\n"
    result = runner.invoke(app, ["chat", "--sender", "cli-every-intent"], input=script)
    assert result.exit_code == 0, result.output
    pack = get_pack()
    for intent in intents:
        first_line = pack.render(intent, "web").text.splitlines()[0]
        assert first_line in result.output, intent


def test_chat_understands_words(engine):
    result = runner.invoke(app, ["chat", "--sender", "cli-words"], input="do i pay council tax\n")
    assert result.exit_code == 0
    assert get_pack().render("council_tax", "web").text.splitlines()[0] in result.output


def test_content_check_passes():
    result = runner.invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "Content OK." in result.output
