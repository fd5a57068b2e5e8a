"""The UI's texts: one word for one thing, Danish plurals, no English in the Danish UI."""

import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("templates", "klyngeadmin", "clusters", "grants", "evaluations")
           for p in (ROOT / d).rglob("*") if p.suffix in (".html", ".py", ".txt")
           and "migrations" not in p.parts]


def _key_figures(n: int) -> list[str]:
    """The overview's labels ("1 fælles FoU-ansøgning", ...) for counts of n."""
    kf = {key: {"total": n, "participations": n, "sme": n, "share_permille": 0}
          for key in ("activities", "companies", "outside", "institutions", "rd_applications",
                      "facilitated")}
    with translation.override("da"):
        html = render_to_string("grants/_key_figures.html", {"kf": kf, "hl": 2})
    overview = html[:html.index("</ul>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", "<li" + li).split()) for li in overview.split("<li")[1:]]


def test_key_figures_count_in_danish_plurals():
    one = _key_figures(1)
    assert "1 fælles FoU-ansøgning" in one and "1 faciliteret projekt" in one
    assert "1 aktivitet" in one
    many = _key_figures(2)
    assert "2 fælles FoU-ansøgninger" in many and "2 faciliterede projekter" in many


def test_faciliterede_not_facilitererede_anywhere():
    wrong = [p.relative_to(ROOT).as_posix() for p in SOURCES if "acilitererede" in p.read_text()]
    wrong += ["locale/en/LC_MESSAGES/django.po"] * (
        "acilitererede" in (ROOT / "locale/en/LC_MESSAGES/django.po").read_text())
    assert not wrong, wrong


def test_the_grant_is_called_bevilling_not_tilsagn():
    wrong = [p.relative_to(ROOT).as_posix() for p in SOURCES
             if '"Tilsagn"' in p.read_text() or '"tilsagnsnummer"' in p.read_text()]
    assert not wrong, wrong


def test_no_straight_quotes_in_danish_texts_beside_guillemets():
    """Danish texts quote with »«; a straight-quoted word inside a translated text is a slip."""
    po = (ROOT / "locale/en/LC_MESSAGES/django.po").read_text()
    msgids = [block.split("msgstr")[0] for block in po.split("\n\n") if "msgid" in block]
    wrong = [m for m in msgids if '\\"' in m and "=\\\"" not in m]
    assert not wrong, wrong[:5]


def test_the_key_figures_heading_in_english_is_plural():
    with translation.override("en"):
        assert translation.gettext("Nøgletal") == "Key figures"
