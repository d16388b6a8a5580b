"""What the bot learns from its use, for the content team: the questions it could not answer (grouped
into clusters, each can be marked "answered by" an answer), the reviewed step that turns them into
training examples (admins approve each one), and whether answers helped beside the content due for
review. Participation and admin only (approving: admin only); redacted text only, never who."""

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import col, select

from api.config import get_settings
from api.content import councils, get_pack
from api.deps import RowId, SessionDep, WriteSessionDep
from api.models import Staff, TrainingExample, Unanswered
from api.routes.feedback import FiltersDep
from api.routes.pages.dashboard import period_of
from api.routes.pages.views import CsrfChecked, page_role, render
from api.services import gaps
from api.services.office_hours import office_hours
from api.services.ratings import helpfulness, stale_content
from api.services.staff import sees

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)
Reader = Annotated[Staff, Depends(page_role("participation", "admin"))]
Admin = Annotated[Staff, Depends(page_role("admin"))]
MOST_IDS = 500  # questions marked in one go (a cluster bigger than this is marked in parts)


def _choices(request: Request, council: str | None) -> dict[str, str]:
    """The answers a cluster can be marked answered by, for this council (the default's for every council)."""
    return gaps.answer_choices(request.app.state.engine.answers, get_pack(council))


def _council_choices() -> list[tuple[str, str]]:
    return [(c, get_pack(c).council_name) for c in councils(get_settings().content_dir)]


@router.get("/questions", response_class=HTMLResponse)
def questions(request: Request, staff: Reader, session: SessionDep, f: FiltersDep) -> HTMLResponse:
    """The questions the bot could not answer in the period, in clusters of similar questions, biggest first."""
    f = period_of(f.seen_by(staff), days=30)
    start, end = f.dates()
    items = gaps.find_unanswered(session=session, council=f.council, start=start, end=end)
    pack = get_pack(f.council)
    context = {
        "staff": staff,
        "f": f,
        "clusters": gaps.clusters(items),
        "total": len(items),
        "most_clustered": gaps.MOST_CLUSTERED,
        "reasons": gaps.REASONS,
        "choices": [(key, pack.answers[key].title) for key in _choices(request, f.council)],
        "waiting": len(gaps.proposals(session=session, council=staff.council)),
        "council_choices": _council_choices(),
        "done": request.query_params.get("done"),
    }
    return render(request, "staff/questions.html", context)


@router.post("/questions/answered")
def answered(
    request: Request,
    staff: Reader,
    session: WriteSessionDep,
    answer: Annotated[str, Form(max_length=64)],
    ids: Annotated[list[int], Form()],
    council: Annotated[str, Form(max_length=64)] = "",
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Mark a cluster's questions answered by an answer: each is proposed as a training example for its
    intent, for an admin to approve (nothing is trained until then)."""
    choices = _choices(request, staff.council or council or None)
    if answer not in choices:
        raise HTTPException(422, f"'{answer}' is not an answer a question can be marked answered by")
    if not ids or len(ids) > MOST_IDS:
        raise HTTPException(422, f"mark between 1 and {MOST_IDS} questions at a time")
    rows = list(session.exec(select(Unanswered).where(col(Unanswered.id).in_(ids))))
    items = [item for item in rows if sees(staff, item.council) and item.answered_by is None]
    if not items:
        raise HTTPException(404, "those questions are not waiting to be answered")
    gaps.mark_answered(session=session, items=items, answer=answer, intent=choices[answer], by=staff.email)
    session.commit()
    return RedirectResponse("/staff/questions?done=marked", status.HTTP_303_SEE_OTHER)


@router.get("/questions/review", response_class=HTMLResponse)
def review_page(request: Request, staff: Admin, session: SessionDep) -> HTMLResponse:
    """The proposed training examples, for an admin to approve or reject one by one."""
    proposed = gaps.proposals(session=session, council=staff.council)
    pack = get_pack(staff.council)
    approved = gaps.proposals(session=session, council=staff.council, status="approved")
    context = {
        "staff": staff,
        "proposed": proposed,
        "titles": {key: pack.answers[key].title for key in {p.answer for p in proposed} if pack.has(key)},
        "approved": Counter(example.intent for example in approved),
        "done": request.query_params.get("done"),
    }
    return render(request, "staff/review.html", context)


@router.post("/questions/review/{example_id}")
def review(
    example_id: RowId,
    staff: Admin,
    session: WriteSessionDep,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Approve (train on it from the next start) or reject one proposed example."""
    example = session.get(TrainingExample, example_id)
    if example is None or not sees(staff, example.council):
        raise HTTPException(404, "no such example")
    try:
        gaps.review(session=session, example=example, approve=decision == "approve", by=staff.email)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/questions/review?done={decision}d", status.HTTP_303_SEE_OTHER)


@router.get("/answers", response_class=HTMLResponse)
def answers(request: Request, staff: Reader, session: SessionDep, f: FiltersDep) -> HTMLResponse:
    """Whether each answer helped ("Did this help?" and "that helped" / "no" by text), least helpful first,
    beside the content due for review (more than a year since, or translations not yet reviewed)."""
    f = period_of(f.seen_by(staff), days=30)
    start, end = f.dates()
    pack = get_pack(f.council or get_settings().council)
    context = {
        "staff": staff,
        "f": f,
        "rated": helpfulness(session=session, pack=pack, council=f.council, start=start, end=end),
        "stale": stale_content(pack, office_hours().local(office_hours().now()).date()),
        "council_name": pack.council_name,
        "council_choices": _council_choices(),
    }
    return render(request, "staff/answers.html", context)
