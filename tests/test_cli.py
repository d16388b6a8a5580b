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


def test_chat_takes_the_number_of_an_option(engine):
    result = runner.invoke(app, ["chat", "--sender", "cli-options"], input="/money\n1\nquit\n")
    assert result.exit_code == 0, result.output
    money = get_pack().answers["money"]
    assert f"[1] {money.buttons[0].title}" in result.output and "(/" not in result.output
    first_option = money.buttons[0].payload.removeprefix("/")
    assert get_pack().render(first_option, "web").text.splitlines()[0] in result.output


def test_sms_without_a_server_says_how_to_start_one():
    result = runner.invoke(app, ["sms", "hello", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "Could not reach the server at http://127.0.0.1:9" in result.output and "make run" in result.output
    assert "Traceback" not in result.output
