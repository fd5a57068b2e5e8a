"""One date widget in, one date format out (issue 17, part A).

- every <input type="date"> (and datetime-local) renders an ISO value, in Danish too;
- the one date field takes ISO and Danish input;
- templates and Python texts format dates only through klyngeadmin.kernel.dates (the `dato` filter)."""

import importlib
import inspect
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from klyngeadmin.kernel import dates
from tests.factories import ActivityFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ["clusters", "grants", "evaluations", "klyngeadmin"]
DATE_INPUT = re.compile(r'<input type="(date|datetime-local)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
ISO = {"date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
       "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")}


def assert_date_inputs_iso(html: str, expect_at_least: int = 1) -> list[str]:
    found = []
    for match in DATE_INPUT.finditer(html):
        value = VALUE.search(match.group(0))
        if value is not None:
            assert ISO[match.group(1)].match(value.group(1)), f"not ISO: {match.group(0)}"
            found.append(value.group(1))
    assert len(found) >= expect_at_least, "no date input with a value on the page"
    return found


# -- the format ---------------------------------------------------------------------------------


def test_danish_display_format_has_danish_month_abbreviations():
    with translation.override("da"):
        assert dates.format_date(date(2026, 12, 31)) == "31. dec. 2026"
        assert dates.format_date(date(2026, 5, 1)) == "1. maj 2026"
        assert dates.format_date(date(2026, 10, 3)) == "3. okt. 2026"
        at = datetime(2026, 11, 25, 13, 32, tzinfo=ZoneInfo("UTC"))  # 14.32 in Copenhagen
        assert dates.format_date(at, "tid") == "25. nov. 2026 kl. 14.32"
        assert dates.format_date(at, "kl") == "14.32"
        assert dates.format_date("2026-03-01") == "1. mar. 2026"  # ISO from a snapshot
        assert dates.format_date(None) == ""


def test_english_display_format():
    with translation.override("en"):
        assert dates.format_date(date(2026, 12, 31)) == "31 Dec 2026"
        at = datetime(2026, 11, 25, 13, 32, tzinfo=ZoneInfo("UTC"))
        assert dates.format_date(at, "tid") == "25 Nov 2026, 14:32"


def test_the_filter_is_a_builtin():
    with translation.override("da"):
        out = Template('{{ d|dato }} / {{ d|dato:"iso" }}').render(Context({"d": date(2026, 12, 31)}))
    assert out == "31. dec. 2026 / 2026-12-31"


@pytest.mark.parametrize("typed", ["2026-11-25", "25.11.2026", "25-11-2026", "25/11-2026",
                                   "25/11/2026", "25.11.26"])
def test_date_field_takes_iso_and_danish_input(typed):
    assert dates.DateField().clean(typed) == date(2026, 11, 25)


def test_date_field_refuses_nonsense_in_danish():
    with translation.override("da"), pytest.raises(forms.ValidationError) as exc:
        dates.DateField().clean("31.13.2026")
    assert "gyldig dato" in str(exc.value)


@pytest.mark.parametrize("language", ["da", "en"])
def test_widget_renders_iso_whatever_the_language_and_input(language):
    widget = dates.DateInput()
    with translation.override(language):
        assert 'value="2026-11-25"' in widget.render("d", date(2026, 11, 25))
        assert 'value="2026-11-25"' in widget.render("d", "25.11.2026")  # typed, re-shown
        assert 'type="date"' in widget.render("d", None)
        local = dates.DateTimeInput()
        at = datetime(2026, 11, 25, 13, 32, tzinfo=ZoneInfo("UTC"))
        assert 'value="2026-11-25T14:32"' in local.render("d", at)


def _form_classes():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            text = path.read_text()
            if "forms.Form" not in text and "forms.ModelForm" not in text and "Form)" not in text:
                continue
            module = importlib.import_module(
                ".".join(path.relative_to(ROOT).with_suffix("").parts))
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                    yield obj


def test_every_date_field_of_every_form_is_the_one_date_field():
    wrong, seen = [], 0
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                seen += 1
                if not isinstance(field, dates.DateField | dates.DateTimeField) or not isinstance(
                        field.widget, dates.DateInput | dates.DateTimeInput):
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert seen >= 7
    assert not wrong, f"date fields outside klyngeadmin.kernel.dates: {wrong}"


# -- pages with existing objects ------------------------------------------------------------------


@pytest.mark.django_db
def test_editing_an_existing_activity_in_danish_shows_its_dates_and_saves_unchanged(client, director):
    activity = ActivityFactory(cluster=director.cluster, title="Temadag",
                               start_date=date(2026, 11, 25), end_date=date(2026, 11, 26))
    client.force_login(director)
    url = reverse("clusters:activity_update", args=[activity.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert assert_date_inputs_iso(html, 2) == ["2026-11-25", "2026-11-26"]
    response = client.post(url, {
        "title": "Temadag", "external_id": activity.external_id,
        "activity_type": activity.activity_type, "start_date": "2026-11-25",
        "end_date": "2026-11-26", "version": activity.version, "companies": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_a_refused_activity_save_shows_the_typed_danish_date_as_iso(client, director):
    client.force_login(director)
    html = client.post(reverse("clusters:activity_create"), {
        "title": "", "activity_type": "knowledge_sharing", "start_date": "25.11.2026",
        "end_date": "26/11-2026"}).content.decode()
    assert assert_date_inputs_iso(html, 2) == ["2026-11-25", "2026-11-26"]


# -- one way out ------------------------------------------------------------------------------


TEMPLATE_DATE_FORMATTING = re.compile(
    r"\|\s*(date|time|naturalday|naturaltime|isodate|timesince|timeuntil)\b|\{%\s*now\b")


def test_no_template_formats_a_date_outside_the_one_filter():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".txt"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if TEMPLATE_DATE_FORMATTING.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not offenders, "use {{ value|dato }} (klyngeadmin/kernel/dates.py):\n" + "\n".join(offenders)


PYTHON_DATE_FORMATTING = re.compile(r"\.strftime\(|date_format\(|time_format\(|\bdateformat\.")


def test_no_python_text_formats_a_date_outside_klyngeadmin_dates():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "klyngeadmin" / "kernel" / "dates.py":
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if PYTHON_DATE_FORMATTING.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not offenders, "use klyngeadmin.dates.format_date:\n" + "\n".join(offenders)
