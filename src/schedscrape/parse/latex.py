"""Lossless LaTeX-ish markup cleanup for titles and abstracts.

pylatexenc with its default settings is the wrong tool on the hot path here: it drops everything
after a bare ``%``, turns ``&`` and ``~`` into spaces, drops unknown macros, raises on some real
abstracts and costs ~1 s per 232-card page. This module is a small single-pass scanner that knows
the handful of constructs abstracts use, and borrows pylatexenc's table of ~900 symbol macros
(``\\alpha`` -> ``α``) so that table is not hand-written here. Anything it does not understand is
kept exactly as written, so no word, number or URL can vanish.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pylatexenc import latex2text, latexwalker

from schedscrape.parse.textutil import normalize_space

# Macros whose argument is the text itself: the markup is dropped, the words stay.
_CONTENT_MACROS = frozenset(
    [
        "textbf",
        "textit",
        "textsl",
        "textup",
        "textmd",
        "textrm",
        "textsf",
        "texttt",
        "textsc",
        "textnormal",
        "emph",
        "underline",
        "uline",
        "mbox",
        "text",
        "textup",
        "mathbf",
        "mathit",
        "mathrm",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "mathscr",
        "mathnormal",
        "boldsymbol",
        "bm",
        "operatorname",
    ]
)
# Declarations and sizing that change looks, not words.
_DROPPED_MACROS = frozenset(
    [
        "bf",
        "it",
        "em",
        "rm",
        "sf",
        "tt",
        "sc",
        "sl",
        "normalfont",
        "small",
        "footnotesize",
        "large",
        "Large",
        "LARGE",
        "huge",
        "Huge",
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "limits",
        "nolimits",
        "noindent",
        "centering",
    ]
)
_SPACE_MACROS = frozenset(["quad", "qquad", "enspace", "thinspace", "medspace", "thickspace"])
# Accents: macro -> the combining character that follows the base character (see `_accent`).
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "acute": "\u0301",
    "grave": "\u0300",
    "breve": "\u0306",
    "check": "\u030c",
    "mathring": "\u030a",
    "overline": "\u0305",
    "widebar": "\u0305",
}
# `\'\i` and `\'{\i}` are an accented i: TeX users drop the dot under an accent themselves.
_DOTLESS = {"\\i": "i", "\\j": "j"}
# Math operators: TeX sets them upright with space around them.
_OPERATORS = frozenset(
    [
        "arccos",
        "arcsin",
        "arctan",
        "arccosh",
        "arcsinh",
        "arctanh",
        "arg",
        "cos",
        "cosh",
        "cot",
        "coth",
        "csc",
        "deg",
        "det",
        "dim",
        "exp",
        "gcd",
        "hom",
        "inf",
        "ker",
        "lg",
        "lim",
        "liminf",
        "limsup",
        "ln",
        "log",
        "max",
        "min",
        "Pr",
        "sec",
        "sin",
        "sinh",
        "sup",
        "tan",
        "tanh",
    ]
)
# Control symbols: `\%` is a percent sign, `\,` a thin space, and so on.
_CONTROL_SYMBOLS = {
    "%": "%",
    "&": "&",
    "#": "#",
    "_": "_",
    "$": "$",
    "{": "{",
    "}": "}",
    " ": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
}


def _symbol_table() -> dict[str, str]:
    """Zero-argument symbol macros from pylatexenc's table (`\\alpha` -> `α`, `\\log` -> `log`).

    Macros that take arguments are left out (pylatexenc turns `\\cite{key}` into `<cit.>` and
    drops the key), and so is `\\today`, which would write the day of the run into an abstract.
    """
    takes_arguments = latexwalker.get_default_latex_context_db()
    table: dict[str, str] = {}
    for spec in latex2text.get_default_latex_context_db().iter_macro_specs():
        repl = getattr(spec, "simplify_repl", None)
        name = getattr(spec, "macroname", None)
        if isinstance(repl, str) and "%" not in repl and name and name.isalpha():
            walker_spec = takes_arguments.get_macro_spec(name)
            if not getattr(getattr(walker_spec, "args_parser", None), "argspec", ""):
                table[name] = repl
    del table["today"]
    # pylatexenc spells these out for plain-text terminals; abstracts read better with symbols.
    table.update({"ldots": "…", "dots": "…", "cdots": "⋯", "LaTeX": "LaTeX", "TeX": "TeX"})
    table.update({name: name for name in _OPERATORS if name not in table})
    return table


_SYMBOLS = _symbol_table()
_KNOWN = (
    _CONTENT_MACROS
    | _DROPPED_MACROS
    | _SPACE_MACROS
    | _SYMBOLS.keys()
    | {"href", "url", "frac", "dfrac", "tfrac", "sqrt", *(k for k in _ACCENTS if k.isalpha())}
)
_CONTROL_WORD = re.compile(r"[A-Za-z]+")
# Where an ordinary run of text ends: text and math mode treat different characters specially.
_TEXT_SPECIAL = re.compile(r"[\\{}$`']")
_MATH_SPECIAL = re.compile(r"[\\{}$^_~]")


class _Unbalanced(Exception):
    """A brace group or math span has no closing delimiter."""


class _Scanner:
    """One pass over the source; `math` says whether `^`, `_` and `~` are math operators."""

    __slots__ = ("pos", "src")

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0

    def convert(self, end: str | None = None, math: bool = False) -> str:
        """Convert until `end` (a closing delimiter) or the end of input."""
        out: list[str] = []
        src = self.src
        n = len(src)
        while self.pos < n:
            ch = src[self.pos]
            if end is not None and src.startswith(end, self.pos):
                self.pos += len(end)
                return "".join(out)
            if ch == "\\":
                out.append(self._macro(math))
            elif ch == "{":
                out.append(self._group_or_literal(math))
            elif ch == "$":
                out.append(self._math_or_literal())
            elif ch == "`" and not math:
                if src.startswith("``", self.pos):
                    out.append("\u201c")
                    self.pos += 2
                else:
                    out.append("\u2018")
                    self.pos += 1
            elif ch == "'" and not math and src.startswith("''", self.pos):
                out.append("\u201d")
                self.pos += 2
            elif math and ch in "^_" and self.pos + 1 < n and src[self.pos + 1] == "{":
                self.pos += 1
                inner = self._group_or_literal(math)
                out.append(ch + (inner if len(inner) <= 1 else f"({inner})"))
            elif math and ch == "~":
                out.append(" ")
                self.pos += 1
            else:
                # Copy the run of ordinary characters in one slice.
                special = (_MATH_SPECIAL if math else _TEXT_SPECIAL).search(src, self.pos + 1)
                stop = special.start() if special else n
                out.append(src[self.pos : stop])
                self.pos = stop
        if end is not None:
            raise _Unbalanced(end)
        return "".join(out)

    def _group_or_literal(self, math: bool) -> str:
        """`{...}` -> its converted content; an unclosed `{` stays a literal brace."""
        start = self.pos
        self.pos += 1
        try:
            return self.convert("}", math)
        except _Unbalanced:
            self.pos = start + 1
            return "{"

    def _math_or_literal(self) -> str:
        """`$x$` / `$$x$$` -> converted math; a lone `$` (a price, say) stays a dollar sign."""
        src = self.src
        delim = "$$" if src.startswith("$$", self.pos) else "$"
        start = self.pos
        body = start + len(delim)
        close = src.find(delim, body)
        # Pandoc's rule: `$` opens math only before a non-space and closes after one, and a
        # closing `$` is not followed by a digit (`$5-$10` is a price range), unless a macro
        # inside says it is math (`$\\leq$0.53`).
        while close != -1 and src[close - 1] == "\\":
            close = src.find(delim, close + 1)
        if (
            close == -1
            or close == body
            or src[body].isspace()
            or src[close - 1].isspace()
            or (
                delim == "$"
                and close + 1 < len(src)
                and src[close + 1].isdigit()
                and "\\" not in src[body:close]
            )
        ):
            self.pos = start + len(delim)
            return delim
        inner = src[body:close]
        if _MATH_SPECIAL.search(inner):  # most math is plain (`$n$`, `$f(x) = y$`): kept as is
            inner = _math_text(inner)
        self.pos = close + len(delim)
        return inner

    def _argument(self, math: bool) -> str | None:
        """The next `{...}` argument (after optional spaces), converted, or None if absent."""
        probe = self.pos
        while probe < len(self.src) and self.src[probe] == " ":
            probe += 1
        if probe < len(self.src) and self.src[probe] == "{":
            self.pos = probe
            start = self.pos
            self.pos += 1
            try:
                return self.convert("}", math)
            except _Unbalanced:
                self.pos = start
        return None

    def _raw_argument(self) -> str | None:
        """The next `{...}` verbatim (URLs keep `%`, `_` and `~`)."""
        if self.pos < len(self.src) and self.src[self.pos] == "{":
            close = self.src.find("}", self.pos)
            if close != -1:
                text = self.src[self.pos + 1 : close]
                self.pos = close + 1
                return text
        return None

    def _macro(self, math: bool) -> str:
        src = self.src
        start = self.pos
        self.pos += 1
        if self.pos >= len(src):
            return "\\"
        word = _CONTROL_WORD.match(src, self.pos)
        if word is None:
            sym = src[self.pos]
            if sym == "\\":
                # `\\name`, `\\{` are usually Markdown-escaped (`\\mathsf{P}`); else a line break.
                doubled = _CONTROL_WORD.match(src, self.pos + 1)
                if (doubled and doubled.group() in _KNOWN) or src[self.pos + 1 : self.pos + 2] in (
                    "{",
                    "}",
                    "#",
                    "%",
                    "&",
                    "_",
                    "$",
                ):
                    return self._macro(math)
                self.pos += 1
                return "\n"
            self.pos += 1
            if sym in _ACCENTS:
                return self._accent(start, sym, math)
            if math and sym == "_" and src.startswith("{", self.pos):
                self.pos = start + 1  # `\_{k}`: a subscript that Markdown escaping reached
                return ""
            if sym in _CONTROL_SYMBOLS:
                return _CONTROL_SYMBOLS[sym]
            return src[start : self.pos]
        name = word.group()
        self.pos = word.end()
        if self.pos < len(src) and src[self.pos] == "*":
            self.pos += 1
        if name in _CONTENT_MACROS:
            arg = self._argument(math)
            if arg and math and name == "operatorname":
                return self._operator(start, arg)
            return "" if arg is None else arg
        if name in _ACCENTS:
            return self._accent(start, name, math)
        if name in _SYMBOLS:
            if math and name in _OPERATORS:
                return self._operator(start, _SYMBOLS[name])
            return _SYMBOLS[name]
        if name in _DROPPED_MACROS:
            return ""
        if name in _SPACE_MACROS:
            return " "
        if name == "url":
            url = self._raw_argument()
            return src[start : self.pos] if url is None else url
        if name == "href":
            return self._href(start)
        if name in ("frac", "dfrac", "tfrac"):
            return self._fraction(start, math)
        if name == "sqrt":
            return self._sqrt(start, math)
        # Unknown macro (`\glam`): kept as written, braces around its arguments included.
        kept = src[start : self.pos]
        while self.pos < len(src) and src[self.pos] == "{":
            arg = self._argument(math)
            if arg is None:
                break
            kept += "{" + arg + "}"
        return kept

    def _accent(self, start: int, name: str, math: bool) -> str:
        """The accent's base character with the combining mark after it, composed (NFC):
        `\\tilde{O}`, `\\tilde O` and `\\tilde \\Theta` all give one accented letter.

        A control symbol (`\\"`) in text takes a letter or group right after it only: `\\" `
        is an escaped quote more often than an accent on the next word. With no base, a control
        symbol is its own character (`\\~{}` in a URL is `~`); a named accent stays as written.
        """
        base = self._accent_base(math, skip_spaces=math or name.isalpha())
        if base is None:
            return self.src[start : self.pos] if name.isalpha() else name
        return _with_mark(base, _ACCENTS[name])

    def _accent_base(self, math: bool, skip_spaces: bool) -> str | None:
        """An accent's argument (a group, a control sequence or a letter), converted, or None
        when there is nothing to put the accent on. Only an empty group is used up then."""
        src = self.src
        probe = self.pos
        while skip_spaces and probe < len(src) and src[probe] in " \t\n":
            probe += 1
        if probe >= len(src):
            return None
        resume = self.pos
        self.pos = probe + 1
        base = None
        if src[probe] == "{":
            try:
                base = self.convert("}", math)
            except _Unbalanced:
                pass
            else:
                if not base:
                    return None  # `\\~{}`: the accent alone
        elif src[probe] == "\\":
            self.pos = probe
            base = self._macro(math)
        elif src[probe].isalpha():
            return src[probe]
        if base and base.strip() and not base.lstrip().startswith("\\"):
            return _DOTLESS.get(src[probe : self.pos].strip("{} "), base)
        self.pos = resume  # nothing to accent: what follows is read as usual
        return None

    def _operator(self, start: int, word: str) -> str:
        """A math operator with the space TeX puts between it and a neighbouring letter or
        bracket: `\\min_x\\max_y` -> `min_x max_y`, `KT\\log N` -> `KT log N`."""
        src = self.src
        before = src[start - 1] if start else ""
        after = src[self.pos : self.pos + 1]
        following = _CONTROL_WORD.match(src, self.pos + 1) if after == "\\" else None
        lead = before.isalnum() or before in ")]}"
        trail = after.isalnum() or (
            following is not None
            and following.group() not in _OPERATORS
            and _SYMBOLS.get(following.group(), "")[:1].isalnum()
        )
        return (" " if lead else "") + word + (" " if trail else "")

    def _href(self, start: int) -> str:
        url = self._raw_argument()
        if url is None:
            return self.src[start : self.pos]
        text = self._argument(False)
        if text is None or text.strip() == url.strip():
            return url
        return f"{text} ({url})"

    def _fraction(self, start: int, math: bool) -> str:
        num = self._argument(math)
        den = self._argument(math) if num is not None else None
        if num is None or den is None:
            return self.src[start : self.pos]
        return f"{_atom(num)}/{_atom(den)}"

    def _sqrt(self, start: int, math: bool) -> str:
        index = ""
        if self.src.startswith("[", self.pos):
            close = self.src.find("]", self.pos)
            if close != -1:
                index = self.src[self.pos + 1 : close]
                self.pos = close + 1
        arg = self._argument(math)
        if arg is None:
            return self.src[start : self.pos]
        root = {"3": "∛", "4": "∜"}.get(index.strip(), "√")
        prefix = f"{index}" if index and root == "√" else ""
        # The radical covers all of its argument: `√(SAK)`, not `√SAK` (√S times A times K).
        radicand = arg if len(arg) <= 1 or arg.isdigit() else f"({arg})"
        return f"{prefix}{root}{radicand}"


@functools.lru_cache(maxsize=4096)
def _math_text(math: str) -> str:
    """A math span's content converted: the same spans (`\\epsilon`, `\\mathcal{O}(n)`) come
    back in abstract after abstract, and a span converts the same wherever it stands."""
    return _Scanner(math).convert(math=True)


def _with_mark(base: str, mark: str) -> str:
    """`base` with `mark` on its first character, after any marks already there (the outer
    accent of `\\hat{\\tilde x}` goes on top)."""
    text = base.lstrip()
    end = 1
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    accented = unicodedata.normalize("NFC", text[:end] + mark)
    return base[: len(base) - len(text)] + accented + text[end:]


def _atom(text: str) -> str:
    """Parenthesise a multi-character operand so `a+b/c` is not read as `a+(b/c)`."""
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def has_markup(text: str) -> bool:
    """True when the text holds anything the cleaner would change besides whitespace."""
    # Plain substring tests: several times faster than one regex over a long abstract. A
    # one-character test (memchr) goes before the two-character one, which is ten times slower.
    return (
        "\\" in text
        or "$" in text
        or "{" in text
        or "}" in text
        or "`" in text
        or ("'" in text and "''" in text)
    )


def latex_to_text(raw: str) -> str:
    """Make LaTeX-ish markup readable. Raises on internal failure; see `clean_text`."""
    if not has_markup(raw):
        return raw
    return _Scanner(raw).convert()


def clean_text(raw: str) -> tuple[str, str | None]:
    """The clean field for `raw`, and a warning when conversion failed and raw text was kept.

    Never raises: a failure (say, pathological nesting) falls back to the normalised raw text.
    """
    try:
        converted = latex_to_text(raw)
    except (RecursionError, ValueError, IndexError) as exc:
        return normalize_space(raw), f"LaTeX cleanup failed ({type(exc).__name__}); kept raw text"
    return normalize_space(converted), None
