import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedscrape.parse.latex import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"\textbf{La}nguage", "Language"),
        (
            r"named \glam (\textbf{G}eneralist \textbf{La}nguage \textbf{M}odel)",
            r"named \glam (Generalist Language Model)",
        ),
        ("the ``training dynamics'' after", "the “training dynamics” after"),
        (r"$\alpha$-divergence", "α-divergence"),
        (r"For each $query$ element", "For each query element"),
        (r"improves by $12.0\%$ and 84.6\% overall", "improves by 12.0% and 84.6% overall"),
        ("reaches 84.6% with a base-sized model", "reaches 84.6% with a base-sized model"),
        (r"Q\&A pairs & more ~ text", "Q&A pairs & more ~ text"),
        (
            r"Page: \href{https://vilp-team.github.io/}{ViLP}.",
            "Page: ViLP (https://vilp-team.github.io/).",
        ),
        (r"at \url{https://github.com/x_y/a%20b}", "at https://github.com/x_y/a%20b"),
        (r"Schr\"{o}dinger and Schr\"odinger", "Schrödinger and Schrödinger"),
        (r"$\\mathsf{FP} \\neq \\#\\mathsf{P}$", "FP ≠ #P"),
        (r"$i \in \\{1, 2, \ldots, m\\}$", "i ∈ {1, 2, …, m}"),
        (r"$x_{i+1}$ and $\frac{1}{2}$ and $O(\sqrt{T})$", "x_(i+1) and 1/2 and O(√T)"),
        ("costs $5 and $10 in total", "costs $5 and $10 in total"),
        (r"an \unknown{arg} and a {lone brace", r"an \unknown{arg} and a {lone brace"),
        ("  spaced\n\tout  ", "spaced out"),
        ("e\u0301", "é"),  # NFC
    ],
)
def test_contract_examples(raw, clean):
    assert clean_text(raw) == (clean, None)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # The ICML 2025 page (../shared/real): dollar signs, a lone tilde, glued operators.
        (r"and $\leq$0.53\% error", "and ≤0.53% error"),
        (r"bound of $\tilde \Theta(H^2\sqrt{SAK})$, where", "bound of Θ̃(H^2√(SAK)), where"),
        (r"bound of $\tilde O(H^3 S \sqrt{AK})$", "bound of Õ(H^3 S √(AK))"),
        (r"a factor $\tilde\Omega(\sqrt{m})$ when", "a factor Ω̃(√m) when"),
        (r"the form $\min_x\max_y f(x)$", "the form min_x max_y f(x)"),
        (r"$\sum_{h=1}^H\max_{k}$", "∑_(h=1)^H max_k"),
        (r"$\sqrt{KT\log N}$ and $x\log x$", "√(KT log N) and x log x"),
        (r"$O\big(kp^{3k}\ln(p)\big)$", "O(kp^(3k) ln(p))"),
        (r"$(\mathcal{N}(\mu_k, \sigma^2))\_{k\in[d]}$", "(N(μ_k, σ^2))_(k∈[d])"),
        # Operators keep their own spacing, and a word macro outside math is left alone.
        (r"$\log(1/\epsilon)$, $(\log n)$, $\log\epsilon$", "log(1/ϵ), (log n), log ϵ"),
        (r"$\operatorname{tr}A$ and pdf\LaTeX", "tr A and pdfLaTeX"),
        # A closing `$` before a digit still ends no math in a price range.
        ("from $5-$10 per head", "from $5-$10 per head"),
        # Macros that take arguments pylatexenc would drop, and `\today`, stay as written.
        (
            r"as in \cite{smith20} (\ref{sec:x}) on \today",
            r"as in \cite{smith20} (\ref{sec:x}) on \today",
        ),
    ],
)
def test_real_abstract_math(raw, clean):
    assert clean_text(raw) == (clean, None)


# Every accent macro and its combining mark, as TeX and Unicode define them.
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "acute": "\u0301",
    "grave": "\u0300",
    "check": "\u030c",
    "breve": "\u0306",
    "mathring": "\u030a",
}
TEXT_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
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
}
_LONE_MARK = re.compile(r"(?:^|\s)[\u0300-\u036f\u20d0-\u20ff]")


def _accented(base: str, mark: str) -> str:
    return unicodedata.normalize("NFC", base + mark)


@pytest.mark.parametrize(("macro", "mark"), ACCENTS.items())
@pytest.mark.parametrize(
    ("argument", "base"),
    [("{x}", "x"), (" x", "x"), ("{\\Theta}", "Θ"), (" \\Theta", "Θ"), ("\\Omega", "Ω")],
)
def test_math_accent_goes_on_its_argument(macro, mark, argument, base):
    clean, warning = clean_text(f"bound ${macro_call(macro)}{argument}(n)$ here")
    assert (clean, warning) == (f"bound {_accented(base, mark)}(n) here", None)
    assert not _LONE_MARK.search(clean)


def macro_call(macro: str) -> str:
    return "\\" + macro


@pytest.mark.parametrize(("macro", "mark"), TEXT_ACCENTS.items())
@pytest.mark.parametrize("argument", ["{o}", "o", "{\\i}"])
def test_text_accent_goes_on_its_argument(macro, mark, argument):
    if macro.isalpha() and argument == "o":
        argument = " o"  # a control word ends at the space, as in `\v s`
    base = "i" if "\\i" in argument else "o"  # `\'\i` is í: the dotless i takes the accent
    clean, warning = clean_text(f"Schr\\{macro}{argument}dinger")
    assert (clean, warning) == (f"Schr{_accented(base, mark)}dinger", None)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"$\hat{\tilde x}$", "x\u0303\u0302"),  # the outer accent goes on top
        (r"$\tilde{}$ and $\hat$", r"\tilde{} and \hat"),  # no base: as written
        (r"$\tilde\glam$", r"\tilde\glam"),  # unknown base: as written
        (r"http://x.edu/\~{}ann", "http://x.edu/~ann"),  # `\~{}` is a tilde
        # A control symbol before a space is a Markdown or JSON escape, not an accent.
        (r"1\. Results: \"fast\" and \^ it", '1. Results: f\u0308ast" and ^ it'),
    ],
)
def test_accents_without_a_letter_to_go_on(raw, clean):
    assert clean_text(raw) == (clean, None)


def test_pathological_nesting_falls_back_to_raw_text_with_a_warning():
    raw = "{" * 5000 + "deep" + "}" * 5000
    clean, warning = clean_text(raw)
    assert "deep" in clean
    assert warning is None or "kept raw text" in warning


_MACRO_NAME = re.compile(r"\\[A-Za-z]+")


def _words(text: str) -> list[str]:
    """Letters and digits, accents folded, so `\\"o` -> ö still counts as the word o."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


LATEX_PIECES = st.sampled_from(
    [
        "\\textbf{",
        "\\emph{",
        "}",
        "{",
        "$",
        "$$",
        "\\%",
        "%",
        "&",
        "~",
        "``",
        "''",
        "\\alpha",
        "\\frac{",
        "\\sqrt",
        "\\href{",
        "\\url{",
        "\\\\",
        "\\",
        "^",
        "_",
        '\\"',
        "\\'",
        "\\glam",
        "\\tilde",
        "\\hat{",
        "\\~",
        "\\.",
        "\\i",
        "\\Theta",
        "\\min",
        "\\log",
        "\\_",
        "\\today",
        "\\cite{",
        "\\left(",
        "\\right)",
        " ",
        "\n",
        "x",
        "12.5",
        "word",
        "é",
        "Ω",
        "-",
        "@",
        "=",
    ]
)


@given(st.lists(st.one_of(LATEX_PIECES, st.text(max_size=6)), max_size=40).map("".join))
def test_cleaning_never_raises_and_never_loses_a_word(raw):
    clean, _warning = clean_text(raw)
    assert isinstance(clean, str)
    clean_words = " ".join(_words(clean))
    for word in _words(_MACRO_NAME.sub(" ", raw)):
        assert word in clean_words, (word, raw, clean)
