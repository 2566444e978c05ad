"""The words of a contract document as a pure text model, shared by the PDF renderer and the phone's reading view.

A worker reads the contract on a 360 px screen as text in large type, and has it read aloud sentence by sentence;
the PDF draws the same model onto A4 pages. Both take their words from one ``ContractContent`` built from the terms
(``contract.contract_content``), so the reading view cannot say something the signed PDF does not. This module has
no reportlab or Flask: it is plain data and string splitting, testable on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Labels of the terms-table rows a worker needs first, in this order: pay, pay day, term, place, job.
KEY_TERM_LABELS = ("劳动报酬", "工资支付", "合同期限", "工作地点", "工作岗位（工种）")
#: A sentence ends after one of these (with any closing quotes or brackets that follow it).
_SENTENCE_END = re.compile(r"[^。；！？!?;\n]*(?:[。；！？!?;]+[”’」』）)]*|\n|$)")


@dataclass(frozen=True)
class Row:
    """One row of the terms table: a label and its value (values may hold newlines)."""

    label: str
    value: str


@dataclass(frozen=True)
class TableGroup:
    """A group of the terms table under its heading (甲方, 乙方, 合同主要条款)."""

    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class Section:
    """A clause section: its heading ("一、劳动合同期限"; empty before the first heading) and paragraphs."""

    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class ContractContent:
    """Everything printed on the pages except the footer, in reading order."""

    title: str
    number_line: str
    preamble: list[str]
    rows: list[tuple[str, str] | str]  # (label, value), or "## " and a group heading spanning the table
    clauses: list[str]  # paragraphs; "## " starts a heading
    signature: list[str]

    def text(self) -> str:
        """All printed text, one block per line (what ``pdftotext`` finds on the pages, outside the footers)."""
        cells = [row.removeprefix("## ") if isinstance(row, str) else f"{row[0]}\n{row[1]}" for row in self.rows]
        headed = [c.removeprefix("## ") for c in self.clauses]
        return "\n".join([self.title, self.number_line, *self.preamble, *cells, *headed, *self.signature])

    def table(self) -> list[TableGroup]:
        """The terms table by group; rows before any heading form a group without one."""
        groups: list[TableGroup] = []
        for row in self.rows:
            if isinstance(row, str):
                groups.append(TableGroup(row.removeprefix("## "), []))
                continue
            if not groups:
                groups.append(TableGroup("", []))
            groups[-1].rows.append(Row(*row))
        return groups

    def sections(self) -> list[Section]:
        """The clauses by section heading."""
        sections: list[Section] = []
        for clause in self.clauses:
            if clause.startswith("## "):
                sections.append(Section(clause.removeprefix("## "), []))
                continue
            if not sections:
                sections.append(Section("", []))
            sections[-1].paragraphs.append(clause)
        return sections

    def key_terms(self) -> list[Row]:
        """The table rows a worker needs first (``KEY_TERM_LABELS``), in that order, with the PDF's own words."""
        rows = {row[0]: row[1] for row in self.rows if not isinstance(row, str)}
        return [Row(label, rows[label]) for label in KEY_TERM_LABELS if label in rows]


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences for reading aloud; joined together they give back ``text`` exactly.

    A sentence ends after 。；！？ (or their ASCII forms, with closing quotes or brackets) or at a newline, so a
    phone speaks and highlights one short piece at a time.
    """
    return [piece for piece in _SENTENCE_END.findall(text) if piece]
