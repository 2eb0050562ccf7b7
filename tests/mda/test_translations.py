"""The Dutch catalogue is complete, correct in its placeholders, and compiled.

Dutch is the first language of the service; English is the source language of the code, so the
English catalogue only has to exist (with empty msgstr) for the language switch to work.

When one of these tests fails after you added or changed a string:

    ./scripts/messages   # makemessages without locations, sorted, then compilemessages
    # translate the new entries (and remove '#, fuzzy') in locale/nl/LC_MESSAGES/django.po

and commit the .po and the .mo files together.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

# What makemessages scans (the same ignores as the command in the module docstring).
SCANNED_SUFFIXES = {".py", ".html", ".txt"}
NOT_SCANNED_ANYWHERE = {"node_modules", "__pycache__"}
NOT_SCANNED_AT_TOP = {"var", "tests", "locale"}  # .venv and .git: makemessages skips dot dirs

# %(name)s, %s, %d, ... (a literal %% is not a placeholder).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGcou]")


# --- a tiny .po reader (no polib: it is not a dependency of the project) ----------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"

    @property
    def translated(self) -> bool:
        forms = 2 if self.msgid_plural is not None else 1
        return all(self.msgstr.get(i) for i in range(forms))


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file, the header (msgid "") included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field the string lines belong to
    pending_flags: set[str] = set()

    def start(line_no: int) -> Entry:
        nonlocal entry, pending_flags
        entry = Entry(flags=pending_flags, line=line_no)
        pending_flags = set()
        entries.append(entry)
        return entry

    def append(text: str) -> None:
        assert entry is not None and target is not None
        value = ast.literal_eval(text)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if line.startswith("#~"):
                target = None  # obsolete entries do not count
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            current = start(line_no)
            current.msgctxt = ""
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            if entry is None or entry.msgctxt is None or entry.msgid or entry.msgstr:
                start(line_no)
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            assert entry is not None
            entry.msgid_plural = ""
            target = ("msgid_plural", 0)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            target = ("msgstr", int(match.group(1)))
        elif line.startswith('"'):
            if target is None:
                continue
            append(line)
            continue
        else:
            raise AssertionError(f"{path}:{line_no}: cannot read {raw!r}")
        append(rest)
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the catalogue starts with its header"
    fields = {}
    for row in first.msgstr[0].splitlines():
        key, _, value = row.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def problems(entries: list[Entry]) -> list[str]:
    found = []
    for e in entries[1:]:
        if "fuzzy" in e.flags:
            found.append(f"fuzzy (review it, then remove the flag): {e.label}")
        elif not e.translated:
            found.append(f"not translated: {e.label}")
    return found


# --- the committed catalogue --------------------------------------------------------------------


def test_both_catalogues_exist_with_their_compiled_files() -> None:
    for path in (NL_PO, NL_MO, EN_PO, EN_MO):
        assert path.is_file(), f"{path.relative_to(settings.BASE_DIR)} is missing"
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en"]


def test_the_headers_declare_the_language_and_the_dutch_plural_rule() -> None:
    for path, language in ((NL_PO, "nl"), (EN_PO, "en")):
        entries = read_po(path)
        fields = header(entries)
        assert fields["Language"] == language, path
        assert fields["Content-Type"] == "text/plain; charset=UTF-8", path
        assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);", path
        assert "fuzzy" not in entries[0].flags, f"{path}: the header is marked fuzzy"


def test_every_dutch_entry_is_translated_and_reviewed() -> None:
    entries = read_po(NL_PO)

    assert len(entries) > 500, "the Dutch catalogue looks truncated"
    assert problems(entries) == []


def test_dutch_placeholders_match_the_english_ones() -> None:
    mismatches = []
    for e in read_po(NL_PO)[1:]:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, source in enumerate(sources):
            target = e.msgstr.get(index, "")
            if target and placeholders(source) != placeholders(target):
                mismatches.append(
                    f"{e.label} form {index}: {placeholders(source)} != {placeholders(target)}"
                )
    assert mismatches == []


def test_the_compiled_dutch_catalogue_is_the_current_po_file() -> None:
    """The .mo holds exactly the translations of the .po (not older, not newer)."""
    expected: dict[object, str] = {}
    for e in read_po(NL_PO)[1:]:
        if not e.translated or "fuzzy" in e.flags:
            continue
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[key] = e.msgstr[0]
        else:
            for index, text in sorted(e.msgstr.items()):
                expected[(key, index)] = text

    with NL_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = dict(compiled._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header

    stale = sorted(str(k) for k in expected if catalog.get(k) != expected[k])
    extra = sorted(str(k) for k in catalog if k not in expected)
    assert (stale, extra) == ([], []), "run compilemessages and commit the .mo"


def test_dutch_is_served_and_english_stays_the_source() -> None:
    with translation.override("nl"):
        assert translation.gettext("Log out") == "Uitloggen"
        assert translation.ngettext("every week", "every %(n)s weeks", 3) % {"n": 3} == (
            "elke 3 weken"
        )
    with translation.override("en"):
        assert translation.gettext("Log out") == "Log out"


# --- strings in the code that are not in the catalogue yet --------------------------------------


def copy_sources(destination: Path) -> None:
    """The files makemessages would scan, with the ignores of the command above."""
    base = Path(settings.BASE_DIR)
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in NOT_SCANNED_ANYWHERE
            and not (here == base and d in NOT_SCANNED_AT_TOP)
        ]
        for name in filenames:
            if Path(name).suffix in SCANNED_SUFFIXES and not name.startswith("."):
                target = destination / (here / name).relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(here / name, target)


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) is not installed",
)
def test_every_string_in_the_code_has_a_dutch_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages on a copy of the sources finds nothing new or changed for Dutch."""
    tree = tmp_path / "tree"
    copy_sources(tree)
    po = tree / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copyfile(NL_PO, po)
    monkeypatch.chdir(tree)

    with override_settings(LOCALE_PATHS=[tree / "locale"]):
        call_command("makemessages", locale=["nl"], verbosity=0, no_obsolete=True)

    assert problems(read_po(po)) == [], "new or changed strings: run makemessages and translate"
