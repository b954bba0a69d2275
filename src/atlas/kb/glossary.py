"""Glossary terms the KB check enforces in Chinese text (`/work/shared/GLOSSARY.md` is the full list).

Each rule pairs an English word with the Chinese term the glossary prescribes and the wrong term
writers tend to use instead. A Chinese text is reported when its English counterpart uses the
word, the Chinese uses the wrong term, and neither the right one nor the English word (kept as a
name, e.g. a Kubernetes `Secret`) appears in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """An English word, the glossary's Chinese term for it, and the mistranslation to catch."""

    english: re.Pattern[str]
    right: str
    wrong: str
    why: str


TERMS: tuple[Term, ...] = (
    Term(
        re.compile(r"\bsecrets?\b", re.I),
        "机密",
        "密钥",
        "密钥 is a cryptographic key; a secret is 机密（Secret）",
    ),
    Term(re.compile(r"\bsandbox", re.I), "沙箱", "沙盒", "the glossary writes 沙箱"),
)


def term_problems(en: str, zh: str) -> list[str]:
    """Messages for glossary terms the Chinese text `zh` gets wrong, given its English `en`."""
    return [
        f"the English says '{m.group(0)}' but the Chinese has '{t.wrong}' and no '{t.right}' ({t.why})"
        for t in TERMS
        if (m := t.english.search(en)) and t.wrong in zh and t.right not in zh and not t.english.search(zh)
    ]
