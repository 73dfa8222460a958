r"""The Spanish edition cannot drift from the English one.

Every English page ``docs/<path>`` has a Spanish page ``docs/es/<path>`` (the
Spanish site is built from ``docs/es/`` into ``/es/`` with the same tree, so
links, images and anchors are the same on both sides).  :func:`differences`
compares the two and lists, in reading order, everything a translation must
not change:

* the code blocks (also those nested in boxes), with the same info string;
  Python is compared token by token without its comments, so a ``# comment``
  may be translated but no code, no string and no ``#>`` printed output;
* the display equations, whose TeX is identical except the words inside
  ``\text{...}``; the inline maths of the page (as a multiset: Spanish word
  order may move a formula within its sentence);
* every HTML comment, hence every equation check, and every raw HTML anchor;
* the figures (image paths, in order) and the mermaid diagrams (node ids,
  edges and shapes; only the labels are translated);
* the boxes (``!!!``/``???`` and their types) and the numbers in their titles
  (so "Drill 6.1" is "Ejercicio 6.1");
* the headings: same levels in the same order, each Spanish heading carrying
  the English heading's anchor (``## Entropía cruzada {#cross-entropy}``), so
  a link into the page lands on the same section in both languages.

It also fails when the English page changed after the translation was last
brought up to date: the Spanish page records, in its front matter, the git
blob id of the English text it translates (``translation_of:``, what
``git hash-object docs/<path>`` prints).  ``git diff <that id> <new id>``
shows what to bring over.  Notebooks are compared cell by cell, with the id
in their metadata.

Run ``python -m chainrule_site.translations`` for every page, or give paths.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import tokenize
from collections import Counter
from functools import cache
from pathlib import Path

from chainrule_site.paths import DOCS

__all__ = ["FRONT_MATTER", "SPANISH", "blob_id", "counterpart", "differences", "english_pages", "recorded_id"]

#: The Spanish pages' folder inside docs/.
SPANISH = DOCS / "es"

_FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<mark>`{3,}|~{3,})(?P<info>.*)$")
_BOX = re.compile(r"^ *(?P<marker>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)(?P<rest>.*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*$")
_EXPLICIT_ID = re.compile(r"\s*\{\s*#(?P<id>[\w-]+)(?:\s[^}]*)?\}\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_ID = re.compile(r"<[a-z]+\b[^>]*\bid=\"[^\"]*\"[^>]*>")
_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)")
_DISPLAY = re.compile(r"^(?P<indent> *)\$\$[ ]*\n(?P<body>.*?)^(?P=indent)\$\$[ ]*$", re.M | re.S)
_TEXT_CMD = re.compile(r"\\(?:text|textrm|mbox|textit|textbf)\{[^{}]*\}")
_INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?P<tex>[^$\n]+?)(?<!\\)\$|\\\((?P<paren>.+?)\\\)", re.S)
#: A page's front matter (the Spanish pages' ``translation_of``); page_notebooks leaves it out of notebooks.
FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.S)
_MERMAID_LABEL = re.compile(r"\"[^\"]*\"|\|[^|]*\||(?<=[\[\(\{>])[^\]\)\}\"]*(?=[\]\)\}])")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def blob_id(data: bytes) -> str:
    """The git blob id of ``data``: what ``git hash-object`` prints for a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 (git's id, not security)


def english_pages() -> list[str]:
    """Every translatable English source under docs/ (pages and notebooks), as paths relative to docs/."""
    pages = [p for p in DOCS.rglob("*") if p.suffix in (".md", ".ipynb") and SPANISH not in p.parents]
    return sorted(str(p.relative_to(DOCS)) for p in pages)


def counterpart(spanish: Path) -> Path:
    """The English page a Spanish page translates."""
    return DOCS / spanish.resolve().relative_to(SPANISH.resolve())


def recorded_id(spanish: Path) -> str | None:
    """The ``translation_of`` id a Spanish page or notebook records, if any."""
    text = spanish.read_text(encoding="utf-8")
    if spanish.suffix == ".ipynb":
        return json.loads(text).get("metadata", {}).get("translation_of")
    front = FRONT_MATTER.match(text)
    found = re.search(r"^translation_of:\s*['\"]?(?P<id>[0-9a-f]{40})", front["yaml"], re.M) if front else None
    return found["id"] if found else None


def _python_tokens(code: str) -> list[str]:
    """The code's tokens without comments and line breaks; ``#>`` printed-output lines are kept."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [line for line in code.splitlines() if not line.lstrip().startswith("# ")]
    kept = []
    for token in tokens:
        if token.type == tokenize.COMMENT and not token.string.startswith("#>"):
            continue
        if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        kept.append(token.string)
    return kept


def _mermaid_shape(code: str) -> list[str]:
    """A diagram's structure: each line with its labels blanked (ids, arrows and shapes stay).

    Its accessible title and description (``accTitle:``, ``accDescr:``) are labels too.
    """
    lines = [re.sub(r"^(accTitle|accDescr)\s*:.*", r"\1: _", line.strip()) for line in code.splitlines() if line.strip()]
    return [_MERMAID_LABEL.sub("_", line) for line in lines]


def _blank_text(tex: str) -> str:
    return re.sub(r"\s+", " ", _TEXT_CMD.sub(r"\\text{}", tex)).strip()


@cache
def _heading_ids(headings: tuple[str, ...]) -> tuple[str, ...]:
    """The anchors MkDocs gives these heading lines (same toc extension, same order, same de-duplication)."""
    import markdown

    md = markdown.Markdown(extensions=["toc", "attr_list", "pymdownx.arithmatex"],
                           extension_configs={"pymdownx.arithmatex": {"generic": True}})
    rendered = md.convert("\n\n".join(headings))
    return tuple(re.findall(r"<h[1-6] id=\"([^\"]*)\"", rendered))


def _parts(markdown_text: str) -> dict[str, list]:
    """What a translation must keep, extracted from a page's Markdown."""
    parts: dict[str, list] = {"code": [], "boxes": [], "headings": [], "comments": [], "html ids": [],
                              "figures": [], "display equations": [], "inline maths": []}
    prose: list[str] = []
    lines = FRONT_MATTER.sub(lambda m: "\n" * (m[0].count("\n")), markdown_text).splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE_OPEN.match(line)
        if fence:
            indent, mark, info = fence["indent"], fence["mark"], fence["info"].strip()
            body, index = [], index + 1
            while index < len(lines) and not (lines[index].startswith(indent) and lines[index].strip().startswith(mark)
                                              and not lines[index].strip().strip(mark[0])):
                body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index].lstrip())
                index += 1
            code = "\n".join(body) + "\n"
            if re.search(r"\bpy(?:thon3?)?\b", info):
                content = _python_tokens(code)
            elif info.startswith("mermaid"):
                content = _mermaid_shape(code)
            else:
                content = code.strip().splitlines()
            parts["code"].append((f"line {index - len(body)}", info, content))
            index += 1
            continue
        box = _BOX.match(line)
        if box:
            parts["boxes"].append((box["marker"], box["type"], _NUMBER.findall(box["rest"])))
        heading = _HEADING.match(line)
        if heading and not line.startswith("#>"):
            parts["headings"].append(line)
        prose.append(line)
        index += 1
    text = "\n".join(prose)
    parts["comments"] = [re.sub(r"\s+", " ", c) for c in _COMMENT.findall(text)]
    text = _COMMENT.sub("", text)
    parts["html ids"] = _HTML_ID.findall(text)
    parts["figures"] = [m["src"] for m in _IMAGE.finditer(text)]
    parts["display equations"] = [_blank_text(m["body"]) for m in _DISPLAY.finditer(text)]
    text = _INLINE_CODE.sub("", _DISPLAY.sub("", text))
    parts["inline maths"] = sorted(Counter(_blank_text(m["tex"] or m["paren"]) for m in _INLINE_MATH.finditer(text)).items())
    return parts


def _compare_headings(english: list[str], spanish: list[str]) -> list[str]:
    problems = []
    levels_en = [len(_HEADING.match(h)["hashes"]) for h in english]
    levels_es = [len(_HEADING.match(h)["hashes"]) for h in spanish]
    if levels_en != levels_es:
        return [f"headings: levels {levels_en} in English, {levels_es} in Spanish"]
    ids = _heading_ids(tuple(english))
    for level, wanted, line in zip(levels_es, ids, spanish):
        if level == 1:
            continue
        explicit = _EXPLICIT_ID.search(line)
        if not explicit or explicit["id"] != wanted:
            problems.append(f"heading {line.strip()!r}: must end with the English anchor {{#{wanted}}}")
    return problems


def _compare(english: dict[str, list], spanish: dict[str, list]) -> list[str]:
    problems = _compare_headings(english["headings"], spanish["headings"])
    for kind in ("code", "boxes", "comments", "html ids", "figures", "display equations", "inline maths"):
        en, es = english[kind], spanish[kind]
        if kind == "code":
            en, es = [(info, c) for _, info, c in en], [(info, c) for _, info, c in spanish[kind]]
        if en == es:
            continue
        if len(en) != len(es):
            problems.append(f"{kind}: {len(en)} in English, {len(es)} in Spanish")
        for number, (a, b) in enumerate(zip(en, es), start=1):
            if a != b:
                where = f" (Spanish {spanish['code'][number - 1][0]})" if kind == "code" else ""
                problems.append(f"{kind} #{number}{where} differs:\n    English: {str(a)[:300]}\n    Spanish: {str(b)[:300]}")
                break
    return problems


def _notebook_parts(path: Path) -> list[tuple[str, object]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out: list[tuple[str, object]] = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            out.append(("code", _python_tokens(source)))
        else:
            parts = _parts(source)
            out.append((cell["cell_type"], {k: parts[k] for k in ("code", "comments", "figures", "display equations", "inline maths")}))
    return out


def differences(spanish: Path) -> list[str]:
    """What in the Spanish page ``spanish`` differs from its English page, as readable lines (empty: none).

    Parameters
    ----------
    spanish : pathlib.Path
        A page or notebook under ``docs/es/``.
    """
    english = counterpart(spanish)
    if not english.is_file():
        return [f"no English page {english.relative_to(DOCS)} for this Spanish page"]
    problems = []
    current, recorded = blob_id(english.read_bytes()), recorded_id(spanish)
    if recorded is None:
        problems.append(f"records no `translation_of:` id (the English page's is {current})")
    elif recorded != current:
        problems.append(f"translates an older English text: {english.relative_to(DOCS)} changed since "
                        f"(`git diff {recorded[:12]} {current[:12]}` shows how); bring the page up to date, "
                        f"then record translation_of: {current}")
    if spanish.suffix == ".ipynb":
        en, es = _notebook_parts(english), _notebook_parts(spanish)
        if [k for k, _ in en] != [k for k, _ in es]:
            problems.append(f"cells: {[k for k, _ in en]} in English, {[k for k, _ in es]} in Spanish")
        for number, (a, b) in enumerate(zip(en, es), start=1):
            if a != b:
                problems.append(f"cell {number} ({a[0]}) differs:\n    English: {str(a[1])[:300]}\n    Spanish: {str(b[1])[:300]}")
        return problems
    en_text, es_text = english.read_text(encoding="utf-8"), spanish.read_text(encoding="utf-8")
    return problems + _compare(_parts(en_text), _parts(es_text))


def main(argv: list[str]) -> int:
    """Check the given Spanish pages (default: every page); print each difference; 1 if any."""
    paths = [Path(a) for a in argv] or [SPANISH / p for p in english_pages()]
    failed = 0
    for path in paths:
        if not path.is_file():
            print(f"{path}: missing (the Spanish page of docs/{counterpart(path).relative_to(DOCS)})")
            failed += 1
            continue
        found = differences(path)
        if found:
            failed += 1
            print(f"{path}:\n  " + "\n  ".join(found))
    print(f"{len(paths) - failed} of {len(paths)} Spanish pages match their English page")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
