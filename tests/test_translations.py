"""The German and English catalogues are complete: no empty and no fuzzy entry, and the compiled files exist."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def entries(po: Path):
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    for block in blocks[1:]:
        if block.strip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid (".*"(?:\n".*")*)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? (".*"(?:\n".*")*)', block, re.M)
        if msgid:
            yield block, [eval(s.replace('"\n"', "")) for s in strs]  # noqa: S307 (our own .po files)


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_is_complete(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    problems = [b.splitlines()[-2:] for b, strs in entries(po) if not all(strs) or "#, fuzzy" in b]
    assert not problems, problems[:5]

    # The committed .mo (so `make run` needs no gettext) must say what the .po says.
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for block, strs in entries(po):
        msgid = eval(re.search(r'^msgid (".*"(?:\n".*")*)', block, re.M)[1].replace('"\n"', ""))  # noqa: S307
        if "msgid_plural" not in block and "msgctxt" not in block and compiled.gettext(msgid) != strs[0]:
            stale.append(msgid)
    assert not stale, f"run `make messages`: the .mo lacks {stale[:3]}"
