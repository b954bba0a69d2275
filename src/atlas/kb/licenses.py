"""SPDX license expressions: a small parser and the identifiers this ecosystem uses.

Accepts `MIT`, `Apache-2.0 OR MIT`, `(GPL-2.0-only OR MIT) AND BSD-3-Clause`,
`GPL-2.0-only WITH Linux-syscall-note`, `LicenseRef-Proprietary`, and `+` after an id.
"""

from __future__ import annotations

import re

from atlas.kb.problems import did_you_mean

#: SPDX license identifiers common in the container ecosystem (and their neighbours).
LICENSES: frozenset[str] = frozenset(
    """
    0BSD AFL-3.0 AGPL-3.0-only AGPL-3.0-or-later Apache-1.1 Apache-2.0 APSL-2.0 Artistic-2.0
    BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause BSD-2-Clause-Patent BSD-3-Clause BSD-3-Clause-Clear
    BSD-4-Clause BSL-1.0 BUSL-1.1 CC-BY-3.0 CC-BY-4.0 CC-BY-SA-3.0 CC-BY-SA-4.0 CC0-1.0 CDDL-1.0
    CDDL-1.1 CPL-1.0 ECL-2.0 EPL-1.0 EPL-2.0 EUPL-1.1 EUPL-1.2 FSFAP GPL-1.0-only GPL-1.0-or-later
    GPL-2.0-only GPL-2.0-or-later GPL-3.0-only GPL-3.0-or-later ISC LGPL-2.0-only LGPL-2.0-or-later
    LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0-only LGPL-3.0-or-later MIT MIT-0 MPL-1.1 MPL-2.0
    MPL-2.0-no-copyleft-exception MS-PL NCSA OFL-1.1 OpenSSL PHP-3.01 PostgreSQL Python-2.0 Ruby
    SSPL-1.0 Unicode-DFS-2016 Unlicense UPL-1.0 W3C X11 Zlib ZPL-2.1 Elastic-2.0 CECILL-2.1
    """.split()
)

#: SPDX license exceptions (the part after WITH).
EXCEPTIONS: frozenset[str] = frozenset(
    """
    Classpath-exception-2.0 GCC-exception-3.1 LLVM-exception Linux-syscall-note
    OpenSSL-exception Autoconf-exception-3.0 Bison-exception-2.2 Font-exception-2.0
    """.split()
)

#: Deprecated SPDX ids people still write, with what to write instead.
DEPRECATED: dict[str, str] = {
    "GPL-2.0": "GPL-2.0-only' or 'GPL-2.0-or-later",
    "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only' or 'GPL-3.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only' or 'LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only' or 'LGPL-3.0-or-later",
    "AGPL-3.0": "AGPL-3.0-only' or 'AGPL-3.0-or-later",
}

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:-]+)")
_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
_OPERATORS = {"AND", "OR", "WITH"}


class _Invalid(Exception):
    pass


def _tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise _Invalid(f"unexpected character '{text[pos:].strip()[0]}'")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise _Invalid("the expression ends too early")
        self.pos += 1
        return tok

    def expression(self) -> None:  # expr := term (OR term)*
        self.term()
        while self.peek() == "OR":
            self.take()
            self.term()

    def term(self) -> None:  # term := factor (AND factor)*
        self.factor()
        while self.peek() == "AND":
            self.take()
            self.factor()

    def factor(self) -> None:  # factor := '(' expr ')' | id [WITH exception]
        tok = self.take()
        if tok == "(":
            self.expression()
            if self.take() != ")":
                raise _Invalid("missing ')'")
            return
        _license_id(tok)
        if self.peek() == "WITH":
            self.take()
            exc = self.take()
            if exc not in EXCEPTIONS:
                raise _Invalid(f"unknown SPDX exception '{exc}'{did_you_mean(exc, EXCEPTIONS)}")


def _license_id(tok: str) -> None:
    if tok in _OPERATORS or tok in "()":
        raise _Invalid(f"expected a license id, got '{tok}'")
    if _REF.match(tok):
        return
    if tok in DEPRECATED:
        raise _Invalid(f"'{tok}' is a deprecated SPDX id; write '{DEPRECATED[tok]}'")
    base = tok[:-1] if tok.endswith("+") else tok
    if base not in LICENSES:
        if tok.lower() in {o.lower() for o in _OPERATORS}:
            raise _Invalid(f"write the operator '{tok}' in capitals")
        raise _Invalid(f"unknown SPDX license id '{tok}'{did_you_mean(tok, LICENSES)}")


def check_license(text: str) -> str:
    """Return an error message for an invalid SPDX expression, or '' when it is valid."""
    try:
        parser = _Parser(_tokens(text))
        parser.expression()
        if parser.peek() is not None:
            raise _Invalid(f"unexpected '{parser.peek()}'; join licenses with AND, OR or WITH")
    except _Invalid as exc:
        return f"invalid license '{text}': {exc}"
    return ""
