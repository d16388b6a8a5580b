"""The `caring-promise` command."""

import sys
import uuid
from collections.abc import Iterator

import typer

app = typer.Typer(help="Caring Promise: the assistant for children in care and care leavers.", no_args_is_help=True)
content_app = typer.Typer(help="Check the approved answers in content/.", no_args_is_help=True)
app.add_typer(content_app, name="content")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Start the whole product on the embedded default (SQLite under the data dir, no Docker)."""
    import uvicorn

    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@app.command()
def chat(sender: str = typer.Option(None, help="conversation id (a new one by default)")) -> None:
    """Talk to the bot in the terminal, as the web chat would (Ctrl-D or 'quit' to leave)."""
    from api.config import get_settings
    from api.db import init_db
    from api.engine.core import Engine

    init_db()
    engine = Engine.load(get_settings())
    sender = sender or f"cli-{uuid.uuid4().hex[:8]}"
    typer.echo("Caring Promise chat. Type a message; 'quit' to leave.")
    for line in _lines():
        if line.strip().lower() in {"quit", "exit"}:
            break
        for message in engine.handle(sender, line, channel="web"):
            typer.echo(f"bot> {message['text']}")
            for i, button in enumerate(message.get("buttons") or [], start=1):
                typer.echo(f"     [{i}] {button['title']}  ({button['payload']})")


def _lines() -> Iterator[str]:
    """Typed lines from a terminal, or piped lines (echoed, so a transcript reads well)."""
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive:
            if not line:
                return
            line = line.rstrip("\n")
            typer.echo(f"you> {line}")
        yield line


@content_app.command("check")
def content_check(council: str = typer.Option(None, help="council folder (default: the setting)")) -> None:
    """Fail on anything a reviewer must fix; list the settings the council still has to fill in."""
    from api.config import get_settings
    from api.content import ContentPack, check_pack
    from api.intents import CONTRACT_INTENTS

    settings = get_settings()
    pack = ContentPack(settings.content_dir / (council or settings.council))
    report = check_pack(pack, CONTRACT_INTENTS + ("fallback",))
    typer.echo(f"{pack.council_name}: {len(pack.answers)} answers")
    for line in report.unset:
        typer.echo(f"  unset setting  {line}")
    for line in report.notes:
        typer.echo(f"  note           {line}")
    for line in report.problems:
        typer.echo(f"  PROBLEM        {line}")
    if not report.ok:
        typer.echo(f"{len(report.problems)} problem(s) to fix.")
        raise typer.Exit(1)
    typer.echo("Content OK.")


if __name__ == "__main__":
    app()
