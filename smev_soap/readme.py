"""Keeps the README's generated sections (the error-code table) in step with the code."""

from __future__ import annotations

import re
import sys

from smev_soap.errors import markdown_table
from smev_soap.resources import ROOT

START, END = "<!-- error-codes:start -->", "<!-- error-codes:end -->"


def render(readme: str) -> str:
    """The README text with the error-code table regenerated between its markers."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _: f"{START}\n{markdown_table()}\n{END}", readme)


if __name__ == "__main__":
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(render(text), encoding="utf-8")
    sys.exit(0)
