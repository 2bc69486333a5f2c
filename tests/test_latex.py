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
