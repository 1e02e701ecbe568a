"""The masker hides a password in every spelling, and the resolver finds every password."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lback_migrations.database_url import file_urls
from lback_migrations.runners.redaction import MASK, Redactor

# Every character class a password may hold, ``*`` aside: ``***`` is the mask itself, so a
# password ending in ``*`` next to a mask would look like a leak without being one.
PASSWORD_CHARACTERS = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="*"
) | st.sampled_from("%@:/+ ?#&=")


def _spell(password: str, choices: list[int]) -> str:
    spelled = []
    for character, choice in zip(password, choices, strict=True):
        encoded = "".join(f"%{byte:02x}" for byte in character.encode("utf-8"))
        forms = [character, encoded, encoded.upper()]
        if character == " ":
            forms.append("+")
        spelled.append(forms[choice % len(forms)])
    return "".join(spelled)


@st.composite
def spelled_passwords(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(st.text(PASSWORD_CHARACTERS, min_size=1, max_size=24))
    whole = draw(st.sampled_from(["mixed", "quote", "quote_plus", "lower"]))
    if whole == "quote":
        return password, quote(password, safe="")
    if whole == "quote_plus":
        return password, quote_plus(password)
    if whole == "lower":
        lower = re.sub("%[0-9A-F]{2}", lambda hex_: hex_.group().lower(), quote(password, safe=""))
        return password, lower
    choices = draw(st.lists(st.integers(0, 3), min_size=len(password), max_size=len(password)))
    return password, _spell(password, choices)


@settings(max_examples=600, deadline=None)
@given(spelled_passwords(), st.text(max_size=30), st.text(max_size=30))
def test_no_spelling_of_a_password_survives_masking(
    spelled: tuple[str, str], before: str, after: str
) -> None:
    password, spelling = spelled
    masked = Redactor([password]).text(before + spelling + after)
    assert spelling not in masked
    assert password not in masked
    assert MASK in masked


def test_the_lower_case_spelling_strategy_decodes_to_the_password() -> None:
    # The strategy above must produce what it claims: ``%2f`` for ``/``.
    assert unquote("Ab%2fcd77x") == "Ab/cd77x"
    assert Redactor(["Ab/cd77x"]).text("url=postgresql://u:Ab%2fcd77x@h/db") == (
        "url=postgresql://u:***@h/db"
    )


@pytest.mark.parametrize(
    "spelling",
    ["s3 cr/t+", "s3%20cr%2Ft%2B", "s3+cr%2ft%2b", "s3%20cr/t%2B", "s3 cr%2F%74+"],
)
def test_each_spelling_of_a_password_is_masked(spelling: str) -> None:
    assert Redactor(["s3 cr/t+"]).text(f"[{spelling}]") == "[***]"


def test_the_tail_of_a_password_from_a_bad_percent_on_is_masked() -> None:
    # configparser's error quotes the value from its first bad % on.
    message = "'%' must be followed by '%' or '(', found: '%retPw9@host/db'"
    assert "retPw9" not in Redactor(["s%retPw9"]).text(message)


def _ini(directory: Path, text: str) -> Path:
    path = directory / "alembic.ini"
    path.write_text(textwrap.dedent(text))
    return path


INTERPOLATED = {
    "same section": """
        [alembic]
        db_password = Very-s3cret-pa55word
        sqlalchemy.url = postgresql+psycopg://app:%(db_password)s@host/db
        """,
    "DEFAULT": """
        [DEFAULT]
        db_password = Very-s3cret-pa55word
        [alembic]
        sqlalchemy.url = postgresql+psycopg://app:%(db_password)s@host/db
        """,
}


@pytest.mark.parametrize("where", INTERPOLATED)
def test_a_password_interpolated_into_sqlalchemy_url_is_found(tmp_path: Path, where: str) -> None:
    ini = _ini(tmp_path, INTERPOLATED[where])
    urls = file_urls(ini, "alembic", {})
    assert "Very-s3cret-pa55word" in urls.passwords()
    assert urls.url == "postgresql+psycopg://app:Very-s3cret-pa55word@host/db"


def test_the_variable_named_by_url_env_in_pyproject_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = _ini(tmp_path, "[alembic]\nscript_location = migrations\n")
    (tmp_path / "pyproject.toml").write_text('[tool.lback-migrations]\nurl_env = "APP_DB"\n')
    monkeypatch.setenv("APP_DB", "postgresql://app:from-pyproject-9@host/db")
    urls = file_urls(ini, "alembic", {})
    assert urls.url_env == "APP_DB"
    assert urls.passwords() == {"from-pyproject-9"}


def test_an_x_url_is_the_url_of_the_run_and_its_password_is_found(tmp_path: Path) -> None:
    ini = _ini(tmp_path, "[alembic]\nsqlalchemy.url = sqlite:///app.db\n")
    urls = file_urls(ini, "alembic", {}, ["url=postgresql://app:Ab%2fcd77x@host/db"])
    assert urls.url == "postgresql://app:Ab%2fcd77x@host/db"
    assert urls.passwords() == {"Ab/cd77x"}


def test_a_password_with_a_bare_percent_is_found_as_written(tmp_path: Path) -> None:
    ini = _ini(tmp_path, "[alembic]\nsqlalchemy.url = postgresql://app:s%retPw9@host/db\n")
    assert file_urls(ini, "alembic", {}).passwords() == {"s%retPw9"}
