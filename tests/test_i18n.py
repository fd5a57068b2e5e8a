"""English beside Danish: every message translated, the compiled catalogue current, pages
and the language switch in English, and the legal letters in Danish whatever the reader's
language. Danish is the default (LANGUAGE_CODE); English follows the browser or the switch."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from klyngeadmin.accounts.models import User

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
IGNORED = ("--ignore=.venv", "--ignore=node_modules", "--ignore=var", "--ignore=tests",
           "--ignore=bench", "--ignore=scripts", "--ignore=test-results", "--ignore=docs")


def _entries(text: str) -> dict[str, list[str]]:
    """msgid (with its context and plural) -> its msgstr values, from a PO file's text."""
    entries = {}
    for block in text.strip().split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        key, strs, current = [], [], None
        for line in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                current = [m.group(1), m.group(2)]
                (strs if current[0].startswith("msgstr") else key).append(current)
            elif line.startswith('"') and current is not None:
                current[1] += line[1:-1]
        ident = "\x04".join(v for _k, v in key)
        if ident:
            entries[ident] = [v for _k, v in strs]
    return entries


def test_every_message_has_an_english_translation():
    text = PO.read_text()
    entries = _entries(text)
    assert len(entries) > 1000
    untranslated = [k for k, v in entries.items() if not all(v)]
    assert not untranslated, untranslated[:10]
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]  # no guessed translations
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for ident, msgstrs in entries.items():
        wanted = set(placeholder.findall(ident))
        for msgstr in msgstrs:
            got = set(placeholder.findall(msgstr))
            # A plural's singular may leave out the count ("One unread"); nothing else may.
            assert got == wanted or (len(msgstrs) > 1 and got <= wanted), (ident, msgstr)


def test_the_catalogue_covers_every_message_in_the_code(tmp_path):
    """A string added to the code without running makemessages and translating it fails here."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", "node_modules", "var", ".git", "test-results", "__pycache__", "locale"))
    (copy / "locale").mkdir()
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "-v", "0", *IGNORED],
                   cwd=copy, check=True, capture_output=True, timeout=300)
    in_code = set(_entries((copy / "locale/en/LC_MESSAGES/django.po").read_text()))
    in_catalogue = set(_entries(PO.read_text()))
    assert not in_code - in_catalogue, sorted(in_code - in_catalogue)[:10]
    assert not in_catalogue - in_code, sorted(in_catalogue - in_code)[:10]


def test_the_compiled_catalogue_is_current(tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (Debian's gettext) is needed: apt-get install gettext"
    subprocess.run([msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(PO)], check=True)
    assert (tmp_path / "django.mo").read_bytes() == MO.read_bytes(), (
        "locale/en/LC_MESSAGES/django.mo is stale: run manage.py compilemessages")


@pytest.mark.django_db
def test_danish_whatever_the_browser_says(client):
    """A Danish caseworker with an English-language browser still gets Danish pages."""
    danish = client.get("/login/").content.decode()
    assert '<html lang="da">' in danish and "Adgangskode" in danish
    english_browser = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="da">' in english_browser and "Adgangskode" in english_browser
    assert "Password" not in english_browser


@pytest.mark.django_db
def test_english_only_when_chosen_with_the_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert '<html lang="en">' in english and "Password" in english


@pytest.mark.django_db
def test_the_persons_stored_choice_follows_them_to_a_new_browser(client, director):
    director.language = "en"
    director.save(update_fields=["language"])
    client.force_login(director)  # a fresh browser: no language cookie
    page = client.get("/oversigt/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert '<html lang="en">' in page and "Sign out" in page


@pytest.mark.django_db
def test_a_language_chosen_before_sign_in_is_remembered_for_the_person(client, director):
    director.set_password("test-password-123")
    director.save()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    client.post("/login/", {"username": director.username, "password": "test-password-123"})
    director.refresh_from_db()
    assert director.language == "en"


@pytest.mark.django_db
def test_the_language_switch_changes_the_pages_and_the_persons_mail_language(client, director):
    client.force_login(director)
    page = client.get("/oversigt/").content.decode()
    assert 'lang="en">English' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/oversigt/"})
    assert response.status_code == 302 and response["Location"] == "/oversigt/"
    assert response.cookies["django_language"].value == "en"
    director.refresh_from_db()
    assert director.language == "en"
    page = client.get("/oversigt/").content.decode()
    assert '<html lang="en">' in page and 'lang="da">Dansk' in page
    assert "Log ud" not in page and "Sign out" in page
    client.post("/i18n/setlang/", {"language": "da", "next": "/oversigt/"})
    assert User.objects.get(pk=director.pk).language == "da"
    assert "Log ud" in client.get("/oversigt/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(client, director):
    client.force_login(director)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/oversigt/"})
    director.refresh_from_db()
    assert director.language == "da"
    assert translation.get_language() in ("da", "en-us", "en")  # the test's own, untouched


def test_translation_functions_go_by_names_makemessages_knows():
    """makemessages finds _(), gettext(), gettext_lazy() ... by name: a string marked with an
    alias (`gettext_lazy as _l`) never reaches the catalogue, and the page stays Danish."""
    known = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
             "pgettext_lazy", "npgettext", "npgettext_lazy", "gettext_noop"}
    alias = re.compile(r"from django\.utils\.translation import .*\b(\w+) as (\w+)")
    wrong = []
    for app in ("klyngeadmin", "clusters", "grants", "evaluations"):
        for path in (ROOT / app).rglob("*.py"):
            for line in path.read_text().splitlines():
                for match in alias.finditer(line):
                    if match.group(2) not in known:
                        wrong.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not wrong, wrong
