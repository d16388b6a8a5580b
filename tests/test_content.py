"""content/: the real pack passes the check, and the check catches what it must."""

import shutil
from datetime import date

import pytest
import yaml

from api.config import get_settings
from api.content import SHARED, ContentPack, check_pack, load_pack
from api.contract import CONTRACT_INTENTS
from api.texting.gsm import gsm7_length, is_gsm7

REQUIRED = CONTRACT_INTENTS + ("fallback",)


@pytest.fixture
def pack_dir(tmp_path):
    """A copy of the Lincolnshire pack and of the shared answers under it, to break."""
    folder = tmp_path / "lincolnshire"
    shutil.copytree(get_settings().content_dir / "lincolnshire", folder)
    shutil.copytree(get_settings().content_dir / SHARED, tmp_path / SHARED)
    return folder


def pack_at(folder):
    return ContentPack(folder, folder.parent / SHARED)


def edit(folder, key, **changes):
    path = folder / f"{key}.yml"
    if not path.exists():
        path = folder.parent / SHARED / f"{key}.yml"
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def problems(folder, today=None):
    return check_pack(pack_at(folder), REQUIRED, today=today).problems


def test_the_lincolnshire_pack_passes():
    report = check_pack(load_pack(get_settings().content_dir, "lincolnshire"), REQUIRED)
    assert report.problems == []


def test_every_sms_fits_one_plain_text():
    pack = load_pack(get_settings().content_dir, "lincolnshire")
    for key, answer in pack.answers.items():
        if answer.sms:
            text = pack.fill(answer.sms)
            assert is_gsm7(text), key
            assert gsm7_length(text) <= 160, key


def test_crisis_answer_names_help_that_works_now():
    pack = load_pack(get_settings().content_dir, "lincolnshire")
    for channel in ("sms", "web"):
        text = pack.render("crisis", channel).text
        for number in ("999", "116 123", "85258", "0800 1111"):
            assert number in text, (channel, number)


def test_caring_promise_has_every_heading_and_commitment():
    pack = load_pack(get_settings().content_dir, "lincolnshire")
    full = pack.answers["caring_promise"].extra["sections"]
    assert len(full) == 6
    commitments = [c for s in full for c in s["commitments"]]
    for expected in (
        "Listen to you",
        "Help you see your family if it's safe",
        "Tell you how to complain if you need to",
    ):
        assert expected in commitments
    web = pack.render("caring_promise", "web").text
    for commitment in commitments:
        assert commitment in web


def test_missing_answer_fails(pack_dir):
    (pack_dir / "money.yml").unlink()
    assert any(p.startswith("money: no answer") for p in problems(pack_dir))


def test_long_sms_fails(pack_dir):
    edit(pack_dir, "money", sms="You can get money. " * 10)
    assert any("more than one text" in p for p in problems(pack_dir))


def test_non_gsm_character_fails(pack_dir):
    edit(pack_dir, "money", sms="You can get money \u2013 ask your PA \U0001f600")
    assert any("cannot send cheaply" in p for p in problems(pack_dir))


def test_missing_sources_and_review_date_fail(pack_dir):
    edit(pack_dir, "jobs", sources=[], review_date=None)
    found = problems(pack_dir)
    assert "jobs.yml: no sources" in found
    assert any(p.startswith("jobs.yml: no review_date") for p in found)


def test_stale_review_date_fails(pack_dir):
    assert any("over a year ago" in p for p in problems(pack_dir, today=date(2099, 1, 1)))


def test_hard_words_fail(pack_dir):
    edit(
        pack_dir,
        "health",
        web="Notwithstanding the aforementioned considerations, comprehensive psychological interventions "
        "necessitate multidisciplinary authorisation prior to commencement of therapeutic engagement.",
    )
    assert any("health.yml: web reads at grade" in p for p in problems(pack_dir))


def test_unknown_placeholder_fails_and_unset_settings_are_listed(pack_dir):
    edit(pack_dir, "money", sms="Ring {no_such_setting}.")
    report = check_pack(pack_at(pack_dir), REQUIRED)
    assert any("{no_such_setting} is not a setting" in p for p in report.problems)
    assert any(line.startswith("complaints_contact") for line in report.unset)


def test_bad_yaml_is_reported_not_crashed(pack_dir):
    (pack_dir / "jobs.yml").write_text("sms: [unclosed")
    assert any("jobs.yml: not valid YAML" in p for p in problems(pack_dir))


@pytest.mark.parametrize(
    ("key", "numbers"), [("homeless", ["0808 800 4444", "999"]), ("out_of_hours", ["116 123", "999"])]
)
def test_after_hours_answers_name_help_that_works_tonight(key, numbers):
    # Whatever the council has yet to fill in (its out-of-hours number), these give a number that answers now.
    pack = load_pack(get_settings().content_dir, "lincolnshire")
    for channel in ("sms", "web"):
        text = pack.render(key, channel).text
        assert all(number in text for number in numbers), (key, channel, text)
