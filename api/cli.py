"""The `caring-promise` command."""

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Caring Promise: the assistant for children in care and care leavers.", no_args_is_help=True)
content_app = typer.Typer(help="Check the approved answers in content/.", no_args_is_help=True)
app.add_typer(content_app, name="content")
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database does not have yet."""
    from api import migrate

    migrate.upgrade()
    current, _ = migrate.revisions()
    typer.echo(f"Database at revision {current}.")


@db_app.command("revision")
def db_revision(message: str) -> None:
    """Write a new migration for what changed in api/models.py (for developers)."""
    from api import migrate

    migrate.new_revision(message)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Start the whole product on the embedded default (SQLite under the data dir, no Docker)."""
    import uvicorn

    from api.config import get_settings

    # X-Forwarded-For is believed only from the proxies listed in CARING_TRUSTED_PROXIES (never by default).
    trusted = get_settings().trusted_proxies.strip()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


@app.command()
def models() -> None:
    """Train the intent, risk and theme models into the cache now (`make install` runs it), so the server
    starts without training; a model whose data has not changed is only loaded."""
    import time

    from api.config import get_settings
    from api.main import load_engine, prepare_database
    from api.services import themes

    settings = get_settings()
    started = time.perf_counter()
    prepare_database(settings)
    load_engine(settings)
    themes.get_classifier()
    typer.echo(f"models ready in {settings.cache_dir} ({time.perf_counter() - started:.1f} s)")


@app.command()
def chat(sender: str = typer.Option(None, help="conversation id (a new one by default)")) -> None:
    """Talk to the bot in the terminal, as the web chat would (Ctrl-D or 'quit' to leave)."""
    from api.config import get_settings
    from api.engine.core import Engine
    from api.main import prepare_database

    prepare_database(get_settings())
    engine = Engine.load(get_settings())
    sender = sender or f"cli-{uuid.uuid4().hex[:8]}"
    typer.echo("Caring Promise chat. Type a message, or the number of an option; 'quit' to leave.")
    options: list[str] = []
    for line in _lines():
        if line.strip().lower() in {"quit", "exit"}:
            break
        choice = line.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(options):
            line = options[int(choice) - 1]  # "2" is the second option, as a tap on its button
        options = []
        for message in engine.handle(sender, line, channel="web"):
            typer.echo(f"bot> {message['text']}")
            for button in message.get("buttons") or []:
                options.append(button["payload"])
                typer.echo(f"     [{len(options)}] {button['title']}")


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


@app.command()
def sms(
    text: str = typer.Argument(..., help="what the young person texts"),
    sender: str = typer.Option("+447700900123", "--from", help="the phone number texting"),
    url: str = typer.Option("http://127.0.0.1:8000", help="the running server"),
) -> None:
    """Send a correctly signed Twilio webhook to a running server and show the reply as a phone would."""
    import secrets
    import xml.etree.ElementTree as ET

    import httpx
    from twilio.request_validator import RequestValidator

    from api.config import get_settings
    from api.texting.text import segments

    settings = get_settings()
    path = "/webhooks/twilio/webhook"
    signed = (settings.public_url or url).rstrip("/") + path
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": settings.twilio_account_sid or "",
        "From": sender,
        "To": settings.twilio_from_number or "+447000000000",
        "Body": text,
        "NumMedia": "0",
    }
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    signature = RequestValidator(token).compute_signature(signed, params)
    try:
        response = httpx.post(
            url.rstrip("/") + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=15
        )
    except httpx.HTTPError as exc:
        typer.echo(f"Could not reach the server at {url} ({type(exc).__name__}).", err=True)
        typer.echo("Start one with `make run` (or `caring-promise serve`), or give its address with --url.", err=True)
        raise typer.Exit(2) from None
    if response.status_code != 200:
        typer.echo(f"HTTP {response.status_code}: {response.text}")
        raise typer.Exit(1)
    messages = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
    if not messages:
        typer.echo("(no reply)")
    for i, message in enumerate(messages, start=1):
        typer.echo(f"--- text {i} of {len(messages)} ({len(message)} characters, {segments(message)} segment(s))")
        typer.echo(message)


safety_app = typer.Typer(help="The risk check (content/safety/).", no_args_is_help=True)
app.add_typer(safety_app, name="safety")


@safety_app.command("eval")
def safety_eval(
    folds: int = typer.Option(5, help="cross-validation folds"),
    verbose: bool = typer.Option(False, "--verbose", help="list the misses and false alarms"),
) -> None:
    """Recall by kind and the false-alarm rate, cross-validated on the labelled set."""
    from api.config import get_settings
    from api.nlp.rasa_data import load_project
    from api.risk.evaluate import cross_validate

    settings = get_settings()
    everyday = [text for text, intent in load_project(settings.bot_dir).nlu.examples if intent != "crisis"]
    report = cross_validate(settings.content_dir / "safety", everyday, folds)
    for line in report.lines():
        typer.echo(line)
    if verbose:
        for kind, text in report.missed:
            typer.echo(f"  missed   {kind:22} {text}")
        for text in report.false_alarms:
            typer.echo(f"  false alarm              {text}")


@safety_app.command("check")
def safety_check(text: str) -> None:
    """What the risk check makes of one message: folded text, kind, level, language, what matched."""
    from api.nlp.text import fold
    from api.risk import get_assessor

    verdict = get_assessor().assess(text)
    typer.echo(f"folded:   {fold(text)}")
    typer.echo(f"at risk:  {verdict.at_risk}  kind={verdict.kind or '-'}  level={verdict.level or '-'}")
    typer.echo(f"language: {verdict.language or '-'}  matched={verdict.matched or '-'}  p={verdict.confidence:.2f}")


languages_app = typer.Typer(help="Other languages (content/languages/).", no_args_is_help=True)
app.add_typer(languages_app, name="languages")


@languages_app.command("eval")
def languages_eval(
    labelled: Annotated[
        Path | None, typer.Option(help="a labelled set (default content/languages/detection_eval.yml)")
    ] = None,
    verbose: bool = typer.Option(False, "--verbose", help="list the messages it got wrong"),
) -> None:
    """Language detection accuracy on a labelled set of young people's messages, per language."""
    from api.config import get_settings
    from api.nlp.language import Languages, evaluate_detection, load_labelled

    content_dir = get_settings().content_dir
    report = evaluate_detection(
        Languages.load(content_dir), load_labelled(labelled or content_dir / "languages" / "detection_eval.yml")
    )
    for line in report.lines():
        typer.echo(line)
    if verbose:
        for expected, said, text in report.wrong:
            typer.echo(f"  {expected} -> {said}: {text}")


@languages_app.command("detect")
def languages_detect(text: str) -> None:
    """What the detector makes of one message: language, script, evidence, interpreter or simple English asked."""
    from api.nlp.language import get_languages

    languages = get_languages()
    found = languages.detect(text)
    typer.echo(f"language: {found.code} ({languages.name(found.code)})  script: {found.script or 'Latin'}")
    typer.echo(f"evidence: {found.score:.1f}  English words: {found.english}")
    typer.echo(f"asks for an interpreter: {languages.wants_interpreter(text)}")
    typer.echo(f"asks for simple English: {languages.wants_simple_english(text)}")


staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(
    email: str,
    role: str = typer.Option(..., help="advisor | participation | admin | duty"),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="at least 12 characters"),
    council: str = typer.Option("", help="the council they work for (default: the default council; 'all': every)"),
) -> None:
    """Create a staff account (or reset its role, council and password)."""
    from api.content import council_named
    from api.db import unit_of_work
    from api.models import Worker
    from api.services.directory import link_staff
    from api.services.staff import ALL_COUNCILS, add_staff

    try:
        whose = None if council == ALL_COUNCILS else council_named(council or None)
        with unit_of_work() as session:
            staff = add_staff(session=session, email=email, role=role, password=password, council=whose)
            session.flush()
            link_staff(session=session)
            worker = session.get(Worker, staff.worker_id) if staff.worker_id else None
    except ValueError as exc:
        typer.echo(f"Not added: {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"Staff account {staff.email} ({role}, {whose or 'every council'}) is ready.")
    if role == "advisor":
        if worker:
            typer.echo(f"Linked to {worker.name} in the directory: their young people's requests reach this inbox.")
        else:
            typer.echo("No worker in the directory has this email yet: link happens when the directory is imported.")


@staff_app.command("remove")
def staff_remove(email: str) -> None:
    """Delete a staff account and sign it out everywhere (someone who has left)."""
    from api.db import unit_of_work
    from api.services.staff import remove_staff

    with unit_of_work() as session:
        removed = remove_staff(session=session, email=email)
    if not removed:
        typer.echo(f"No staff account {email.strip().lower()}.")
        raise typer.Exit(2)
    typer.echo(f"Removed {email.strip().lower()}; its sessions have ended.")


@staff_app.command("list")
def staff_list() -> None:
    """Every staff account: email, role, and for advisors the directory worker it is linked to."""
    from sqlmodel import select

    from api.db import unit_of_work
    from api.models import Staff, Worker

    with unit_of_work() as session:
        for staff in session.exec(select(Staff).order_by(Staff.role, Staff.email)):
            worker = session.get(Worker, staff.worker_id) if staff.worker_id else None
            linked = f"  linked to {worker.name}" if worker else ("  not linked" if staff.role == "advisor" else "")
            typer.echo(f"{staff.email}  {staff.role}{linked}")


directory_app = typer.Typer(help="The directory of young people and their workers.", no_args_is_help=True)
app.add_typer(directory_app, name="directory")


@directory_app.command("import")
def directory_import(
    young_people: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="young_people.csv")],
    workers: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="workers.csv")],
    council: Annotated[str, typer.Option(help="whose directory (default: the default council)")] = "",
) -> None:
    """Check every row of both files, then add or update them all (nothing is imported if a row is wrong)."""
    from api.content import council_named
    from api.db import unit_of_work
    from api.services.directory import WORKER_COLUMNS, YOUNG_PEOPLE_COLUMNS, import_files

    try:
        whose = council_named(council or None)
    except ValueError as exc:
        typer.echo(f"Nothing imported: {exc}")
        raise typer.Exit(2) from exc
    with unit_of_work() as session:  # a report with problems has written nothing
        report = import_files(session=session, young_people=young_people, workers=workers, council=whose)
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"  {problem}")
        typer.echo(f"Nothing imported: {len(report.problems)} problem(s) to fix.")
        typer.echo(f"Columns of young_people.csv: {','.join(YOUNG_PEOPLE_COLUMNS)}")
        typer.echo(f"Columns of workers.csv: {','.join(WORKER_COLUMNS)}")
        raise typer.Exit(1)
    typer.echo(
        f"Imported: {report.workers_added} worker(s) added, {report.workers_updated} updated; "
        f"{report.young_people_added} young people added, {report.young_people_updated} updated."
    )


themes_app = typer.Typer(help="The feedback theme classifier.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")


@themes_app.command("train")
def themes_train(
    check: bool = typer.Option(True, help="also measure it: 5-fold cross-validation and the held-out split"),
) -> None:
    """Train on content/themes/examples.yml plus the dashboard's corrections; servers use it at their next start.

    Prints, per theme, precision and recall with 5-fold cross-validation on the examples (and
    corrections), then on content/themes/heldout.yml, which is never trained on."""
    from api.config import get_settings
    from api.services import themes

    examples, corrections = themes.load_examples(themes.examples_path()), themes.corrections()
    themes.get_classifier.cache_clear()
    model = themes.load_or_train(themes.examples_path(), get_settings().cache_dir, corrections)
    typer.echo(f"Trained on {len(examples)} labelled examples and {len(corrections)} reviewed correction(s).")
    typer.echo(
        "Each theme's threshold (chosen on out-of-fold probabilities): "
        + ", ".join(f"{theme} {m.threshold:.3f}" for theme, m in model.themes.items())
    )
    if check:
        lexicon = themes.load_lexicon(themes.lexicon_path(themes.examples_path()))
        for line in themes.cross_validate(examples + corrections, lexicon).report("5-fold cross-validation"):
            typer.echo(line)
        if themes.heldout_path().exists():
            heldout = themes.load_examples(themes.heldout_path())
            for line in themes.measure(model, heldout).report(f"held-out split ({themes.heldout_path().name})"):
                typer.echo(line)
    typer.echo("Restart the server (or let it restart) to use the new model.")


nlu_app = typer.Typer(help="The intent classifier (bot/data).", no_args_is_help=True)
app.add_typer(nlu_app, name="nlu")


@nlu_app.command("learned")
def nlu_learned(
    out: Annotated[Path, typer.Option(help="where to write them (Rasa 3 NLU training data)")] = Path(
        "bot/data/nlu/learned.yml"
    ),
) -> None:
    """Write the training examples approved on the staff page "Questions we could not answer" as Rasa NLU
    data, to train a Rasa server on them too and keep them with bot/ (the embedded engine reads them from
    the database at its next start)."""
    from sqlmodel import Session

    from api.db import get_engine
    from api.services.gaps import approved_examples, rasa_yaml

    with Session(get_engine()) as session:
        examples = approved_examples(session)
    out.write_text(rasa_yaml(examples), encoding="utf-8")
    typer.echo(f"Wrote {len(examples)} approved example(s) to {out}.")


@nlu_app.command("compare")
def nlu_compare(
    folds: Annotated[int, typer.Option(help="cross-validation folds (stratified, the same for both engines)")] = 3,
    dev: Annotated[Path, typer.Option(help="the dev set: each intent with its messages")] = Path(
        "../shared/eval/dev_intents.yml"
    ),
    rasa: Annotated[Path, typer.Option(help="real Rasa 3.6 (skipped when absent)")] = Path("/tmp/rasa-venv/bin/rasa"),
    rasa_folds: Annotated[
        int | None, typer.Option(help="run Rasa on the first N folds only (a training takes minutes)")
    ] = None,
    seed: Annotated[int, typer.Option(help="the folds' random seed")] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the figures here as JSON")] = None,
) -> None:
    """The embedded engine beside real Rasa: dev set and cross-validated intent and sub-answer figures."""
    import json

    from api.config import get_settings
    from api.engine.evaluate import compare

    if not dev.is_file():
        typer.echo(f"No dev set at {dev}: give one with --dev.", err=True)
        raise typer.Exit(2)
    result = compare(
        get_settings().bot_dir, dev, folds, seed, rasa, rasa_folds, log=lambda line: typer.echo(line, err=True)
    )
    for line in result.lines():
        typer.echo(line)
    if json_path:
        json_path.write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        typer.echo(f"Wrote {json_path}")


notify_app = typer.Typer(help="Notifications to staff (the outbox).", no_args_is_help=True)
app.add_typer(notify_app, name="notify")


@notify_app.command("send")
def notify_send() -> None:
    """Escalate handoffs past their time, then send every notification waiting in the outbox now (the
    server does both every few seconds)."""
    from api.services.notify import deliver_pending
    from api.services.requests import escalate_overdue

    escalated = 0
    while found := escalate_overdue():
        escalated += found
    total = 0
    while sent := deliver_pending():
        total += sent
    typer.echo(f"Escalated {escalated} overdue request(s). Sent {total} notification(s).")


@app.command()
def purge() -> None:
    """Delete feedback and conversations past their retention periods; say what was deleted."""
    from api.config import get_settings
    from api.services.retention import purge as run_purge

    settings = get_settings()
    report = run_purge(settings)
    typer.echo(
        f"Deleted {report.feedback} feedback item(s) older than {settings.feedback_retention_days} days; "
        f"{report.conversations} conversation(s) with {report.turns} message(s), {report.inbound_sms} SMS "
        f"receipt(s), {report.outbound_sms} sent-text record(s) and {report.notifications} staff "
        f"notification(s) older than {settings.conversation_retention_days} days; {report.requests} request(s) "
        f"closed more than {settings.request_retention_days} days ago, with their history; {report.unanswered} "
        f"question(s) not answered and {report.proposals} training example(s) never approved older than "
        f"{settings.conversation_retention_days} days; {report.ratings} rating(s) older than "
        f"{settings.feedback_retention_days} days. Safeguarding alerts, open requests and their conversations, "
        "and approved training examples are kept."
    )


@content_app.command("check")
def content_check(council: str = typer.Option(None, help="one council's folder (default: every council's)")) -> None:
    """Fail on anything a reviewer must fix; list the settings each council still has to fill in."""
    from api.config import get_settings
    from api.content import SHARED, ContentPack, answer_key, check_pack, councils, rasa_responses
    from api.contract import CONTRACT_INTENTS
    from api.nlp.language import check_languages
    from api.nlp.places import Places
    from api.nlp.rasa_data import RESPONSES, load_project
    from api.risk.check import REQUIRED_ANSWERS, check_safety

    settings = get_settings()
    retrieval = load_project(settings.bot_dir).nlu.retrieval_intents
    required = CONTRACT_INTENTS + ("fallback",) + REQUIRED_ANSWERS + tuple(map(answer_key, retrieval))
    problems: list[str] = []
    for name in [council] if council else councils(settings.content_dir):
        pack = ContentPack(settings.content_dir / name, settings.content_dir / SHARED)
        report = check_pack(pack, required)
        typer.echo(f"{pack.council_name} ({name}): {len(pack.answers)} answers, {len(pack.shared_keys)} of them shared")
        for line in report.unset:
            typer.echo(f"  unset setting  {line}")
        for line in report.notes:
            typer.echo(f"  note           {line}")
        problems += [f"{name}: {line}" for line in report.problems]
        if name == settings.council:
            responses = settings.bot_dir / RESPONSES
            made = rasa_responses(pack, retrieval)
            if retrieval and (not responses.exists() or responses.read_text(encoding="utf-8") != made):
                problems.append("bot/data/responses.yml is out of date: run `caring-promise content rasa-responses`")
    safety = check_safety(settings.content_dir / "safety")
    languages, notes = check_languages(settings.content_dir)
    try:
        Places.load(settings.content_dir / "places")
    except (OSError, ValueError) as exc:
        problems.append(f"places: {exc}")
    for line in [*safety.notes, *notes]:
        typer.echo(f"  note           {line}")
    for line in [*problems, *safety.problems, *languages]:
        typer.echo(f"  PROBLEM        {line}")
    count = len(problems) + len(safety.problems) + len(languages)
    if count:
        typer.echo(f"{count} problem(s) to fix.")
        raise typer.Exit(1)
    typer.echo("Content OK.")


@content_app.command("rasa-responses")
def content_rasa_responses() -> None:
    """Write bot/data/responses.yml (real Rasa's responses for the retrieval intents) from content/."""
    from api.config import get_settings
    from api.content import get_pack, rasa_responses
    from api.nlp.rasa_data import RESPONSES, load_project

    settings = get_settings()
    retrieval = load_project(settings.bot_dir).nlu.retrieval_intents
    path = settings.bot_dir / RESPONSES
    path.write_text(rasa_responses(get_pack(), retrieval), encoding="utf-8")
    typer.echo(f"Wrote {len(retrieval)} response(s) to {path}")


if __name__ == "__main__":
    app()
