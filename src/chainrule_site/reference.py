"""The API reference page, and the links between it and the pages that use the package.

``docs/reference/api.md`` holds one mkdocstrings directive (``::: path``) per
public name of :mod:`chainrule`; mkdocstrings renders each from its docstring,
under a heading whose anchor is the directive's path (the object's full path in
the module that defines it: ``chainrule.softmax.softmax``, since griffe reads
``chainrule.softmax`` as the submodule).  Three jobs, called from the hooks:

* :func:`check_entries`: every name in ``chainrule.__all__`` has exactly one
  entry, and every entry is a public name; otherwise the build fails
  (:func:`entries` is what ``tests/test_reference.py`` compares).
* **Used on.**  :func:`uses` reads the Python of a page's code blocks (nested
  ones included) and returns the public names it calls; :func:`add_used_on`
  writes, under each entry's signature, the pages whose code uses it.
* **Links from the pages.**  :func:`link_names` turns ``cr.name`` in a page's
  highlighted code and in its inline code into a cross-reference to the entry.
  The links are written as mkdocs-autorefs markers (``<autoref identifier=...>``,
  its documented markup), so autorefs computes each relative URL and an
  identifier without an entry fails the strict build.
"""

from __future__ import annotations

import ast
import html
import importlib
import inspect
import re
import types
from collections.abc import Iterable, Sequence

import chainrule
from chainrule_site.fences import PYTHON_FENCE, expose_nested_blocks

__all__ = ["API_PAGE", "add_used_on", "check_entries", "entries", "link_names", "python_blocks", "uses"]

#: The page (relative to docs/) that holds the API reference.
API_PAGE = "reference/api.md"
#: How the pages import the package (``import chainrule as cr``): names after these prefixes are linked.
PREFIXES = ("cr", "chainrule")

_DIRECTIVE = re.compile(r"^:::[ ]+(?P<path>[A-Za-z_][\w.]*)[ ]*$", re.M)
_FENCE = re.compile(r"^(?P<mark>`{3,}|~{3,})(?P<info>[^\n]*)$")


def public_names() -> list[str]:
    """``chainrule.__all__``, read now (the package the build imports)."""
    return list(chainrule.__all__)


def _resolve(path: str) -> object:
    """The object at dotted ``path`` (a module, or an attribute of one)."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(f"nothing to import at {path!r}")


def entries(markdown: str) -> dict[str, str]:
    """Map each name that the API page documents to its directive's path (its entry's anchor).

    Parameters
    ----------
    markdown : str
        The source of ``docs/reference/api.md``.

    Returns
    -------
    dict
        ``{"softmax": "chainrule.softmax.softmax", "datasets": "chainrule.datasets", ...}``,
        keyed by the last part of each ``::: path`` line, in page order.

    Raises
    ------
    ValueError
        If two directives document the same name.
    """
    found: dict[str, str] = {}
    for match in _DIRECTIVE.finditer(markdown):
        path = match["path"]
        name = path.rsplit(".", 1)[-1]
        if name in found:
            raise ValueError(f"{API_PAGE} documents {name!r} twice ({found[name]} and {path})")
        found[name] = path
    return found


def check_entries(markdown: str) -> list[str]:
    """What is wrong with the API page's entries (an empty list when nothing is).

    Every name in ``chainrule.__all__`` must have an entry, and every entry
    must document the very object that ``chainrule.<name>`` is.
    """
    try:
        documented = entries(markdown)
    except ValueError as err:
        return [str(err)]
    public = public_names()
    problems = [f"chainrule.{name} is public (in chainrule.__all__) but {API_PAGE} has no `::: ...{name}` entry for it"
                for name in public if name not in documented]
    for name, path in documented.items():
        if name not in public:
            problems.append(f"{API_PAGE} documents {path}, but {name!r} is not in chainrule.__all__")
            continue
        try:
            same = _resolve(path) is getattr(chainrule, name)
        except (ImportError, AttributeError):
            same = False
        if not same:
            problems.append(f"{API_PAGE}: `::: {path}` is not the object chainrule.{name}")
    return problems


def _member_paths(documented: dict[str, str]) -> dict[str, str]:
    """``{"Dense.backward": "chainrule.layers.Dense.backward", ...}``: the documented members of each class entry.

    mkdocstrings renders (and anchors) the public attributes a class defines
    itself that carry a docstring.
    """
    members: dict[str, str] = {}
    for name, path in documented.items():
        obj = getattr(chainrule, name, None)
        if not inspect.isclass(obj):
            continue
        for member, value in vars(obj).items():
            doc = getattr(value, "__doc__", None) or getattr(getattr(value, "fget", None), "__doc__", None)
            if not member.startswith("_") and doc and not isinstance(value, (int, float, str, tuple)):
                members[f"{name}.{member}"] = f"{path}.{member}"
    return members


# -- which public names a page's code uses ---------------------------------------------------


def python_blocks(markdown: str) -> list[str]:
    """The code of every Python fence of a page, nested ones (admonitions, tabs, solutions) included."""
    blocks: list[str] = []
    fence: str | None = None
    body: list[str] = []
    python = False
    for line in expose_nested_blocks(markdown).splitlines():
        if fence is None:
            match = _FENCE.match(line.lstrip(" "))
            if match:
                fence, python, body = match["mark"], bool(PYTHON_FENCE.match(line)), []
        elif line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            if python:
                blocks.append("\n".join(body))
            fence = None
        else:
            body.append(line)
    return blocks


def uses(code: str, public: Iterable[str] | None = None) -> set[str]:
    """The public names of chainrule that a block of Python uses.

    A use is ``cr.name`` or ``chainrule.name`` (``cr`` is how every page
    imports the package), a name imported with ``from chainrule import name``
    or ``from chainrule.module import name``, and ``datasets`` for
    ``from chainrule.datasets import ...``.  A block that does not parse on its
    own (a fragment) is read for ``cr.name`` alone.
    """
    public = set(public_names() if public is None else public)
    found: set[str] = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {m[1] for m in re.finditer(r"\b(?:cr|chainrule)\.(\w+)", code) if m[1] in public}
    aliases = set(PREFIXES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {alias.asname or alias.name for alias in node.names if alias.name == "chainrule"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "chainrule":
                continue
            if len(parts) == 2 and parts[1] in public and isinstance(getattr(chainrule, parts[1], None), types.ModuleType):
                found.add(parts[1])
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if alias.name in public and value is getattr(chainrule, alias.name):
                    found.add(alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr in public):
            found.add(node.attr)
    return found


def page_title(markdown: str, fallback: str) -> str:
    """The page's first ``# `` heading, or ``fallback``."""
    match = re.search(r"^# +(?P<title>.+?) *#*$", markdown, re.M)
    return match["title"].strip() if match else fallback


# -- writing the links -----------------------------------------------------------------------

_CONTENTS = re.compile(r'<div class="doc doc-contents[^"]*">')


#: The "Used on" line in each edition's language: its label, and its text when no page uses the name.
USED_ON = {"en": ("Used on", "no page yet"), "es": ("Se usa en", "ninguna página, por ahora")}


def add_used_on(content: str, documented: dict[str, str], used_on: dict[str, list[tuple[str, str]]],
                language: str = "en") -> str:
    """Write a "Used on" line at the top of each entry of the rendered API page.

    Parameters
    ----------
    content : str
        The API page's HTML as mkdocstrings rendered it.
    documented : dict
        :func:`entries` of the page.
    used_on : dict
        ``{name: [(title, relative url), ...]}`` in reading order; a name that
        no page's code names says so.

    Raises
    ------
    ValueError
        If an entry's heading or its contents block is not in ``content``.
    """
    inserts: list[tuple[int, str]] = []
    for name, path in documented.items():
        heading = re.search(rf'<h[1-6] id="{re.escape(path)}" class="doc doc-heading">', content)
        contents = _CONTENTS.search(content, heading.end()) if heading else None
        if contents is None:
            raise ValueError(f"the rendered API page has no entry with id {path!r} for chainrule.{name}")
        pages = used_on.get(name, [])
        # Semicolons: some page titles hold commas ("In practice: smoothing, batches, ...").
        links = "; ".join(f'<a href="{html.escape(url)}">{html.escape(title)}</a>' for title, url in pages)
        label, none = USED_ON[language]
        inserts.append((contents.end(), f'<p class="api-used-on"><strong>{label}:</strong> {links or none}.</p>'))
    for at, text in sorted(inserts, reverse=True):
        content = content[:at] + text + content[at:]
    return content


_LINK_IN_CODE = re.compile(r"<code>\s*(?P<open><autoref\b[^>]*>)(?P<title>(?:(?!</?(?:autoref|code)\b).)*?)</autoref>\s*</code>", re.S)


def links_outside_code(content: str) -> str:
    """Turn ``<code><autoref ...>Grads</autoref></code>`` into ``<autoref ...><code>Grads</code></autoref>``.

    mkdocstrings puts the link to a documented type inside the code element.
    In the dark scheme a link inside code is the theme's link blue on the code
    background, 4.1:1 where WCAG asks 4.5:1 (axe: color-contrast); code inside
    a link keeps the code's colours and the link's underline, as on the pages.
    """
    return _LINK_IN_CODE.sub(lambda m: f"{m['open']}<code>{m['title']}</code></autoref>", content)


def _autoref(identifier: str, title: str, style: str = "") -> str:
    extra = f' style="{style}"' if style else ""
    return f'<autoref identifier="{html.escape(identifier)}"{extra}>{title}</autoref>'


#: A link on a token of highlighted code keeps the code's colours (underlined, as every link):
#: the token's own colour on the pages; on a notebook page, whose highlighting leaves names
#: uncoloured, the code's text colour rather than link blue, which is 4.1:1 on the dark
#: scheme's code background where WCAG asks 4.5:1 (axe: color-contrast).
CODE_LINK_STYLE = "color: inherit"


def link_names(content: str, documented: dict[str, str]) -> str:
    """Link each ``cr.name`` of a page's code and inline code to its API entry.

    * In highlighted code (Pygments: ``<span class="n">cr</span><span class="o">.</span><span class="n">name</span>``)
      the ``name`` token becomes the link, so the copy button still copies the code.
    * An inline ``<code>cr.name...</code>`` (or ``chainrule.name``) becomes a
      link as a whole; ``cr.Dense.backward`` links to the method's entry.
      Inline code already inside a link is left alone.

    Names that are not public are left alone.  The links are autorefs markers,
    resolved (and validated) by mkdocs-autorefs when the site is written.
    """
    members = _member_paths(documented)
    prefixes = "|".join(PREFIXES)

    def in_code(match: re.Match[str]) -> str:
        path = documented.get(match["name"])
        return match[0] if path is None else match["prefix"] + _autoref(path, match["token"], CODE_LINK_STYLE)

    content = re.sub(
        rf'(?P<prefix><span class="n">(?:{prefixes})</span><span class="o">\.</span>)'
        r'(?P<token><span class="n[a-z]?">(?P<name>\w+)</span>)',
        in_code, content)

    def inline(match: re.Match[str]) -> str:
        if re.search(r"<a\b[^>]*>\s*$", content[max(0, match.start() - 200):match.start()]):
            return match[0]
        name, member = match["name"], match["member"]
        path = members.get(f"{name}.{member}") if member else None
        path = path or documented.get(name)
        return match[0] if path is None else _autoref(path, match[0])

    return re.sub(rf"<code>(?:{prefixes})\.(?P<name>\w+)(?:\.(?P<member>\w+))?[^<]*</code>", inline, content)


def nav_order(pages: Sequence[str], all_pages: Iterable[str]) -> list[str]:
    """``all_pages`` in the order of ``pages`` (the navigation), the others after them by path."""
    position = {src: number for number, src in enumerate(pages)}
    return sorted(all_pages, key=lambda src: (position.get(src, len(position)), src))


# -- the hooks' side (called from chainrule_site/hooks.py) -------------------------------------

#: Per build: the entries of the API page, the pages' uses, the navigation's page order.
_state: dict[str, object] = {"documented": {}, "uses": {}, "titles": {}, "order": [], "language": "en"}


def _page_code(file: object) -> list[str]:
    """The Python of a documentation file: its fences (.md) or its code cells (.ipynb)."""
    import json

    text = file.content_string  # type: ignore[attr-defined]
    if file.src_uri.endswith(".ipynb"):  # type: ignore[attr-defined]
        cells = json.loads(text).get("cells", [])
        return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                for cell in cells if cell.get("cell_type") == "code"]
    return python_blocks(text)


def collect(files: object, config: object) -> None:
    """on_files: read the API page's entries (failing the build if one is missing) and every page's uses.

    Does nothing on a site without the API page or without mkdocstrings (the
    two-page sites of the tests).
    """
    from mkdocs.exceptions import PluginError

    _state.update(documented={}, uses={}, titles={}, order=[], language=config["theme"]["language"])  # type: ignore[index]
    api = files.get_file_from_path(API_PAGE)  # type: ignore[attr-defined]
    if api is None or "mkdocstrings" not in config["plugins"]:  # type: ignore[index]
        return
    markdown = api.content_string
    problems = check_entries(markdown)
    if problems:
        raise PluginError("the API reference is out of date:\n  " + "\n  ".join(problems))
    _state["documented"] = entries(markdown)
    public = public_names()
    for file in files.documentation_pages():  # type: ignore[attr-defined]
        if file.src_uri == API_PAGE:
            continue
        names = set().union(*(uses(code, public) for code in _page_code(file)))
        if names:
            _state["uses"][file.src_uri] = names  # type: ignore[index]
            if file.src_uri.endswith(".md"):
                _state["titles"][file.src_uri] = page_title(file.content_string, file.src_uri)  # type: ignore[index]


def remember_nav(nav: object) -> None:
    """on_nav: the reading order of the pages and their titles in the navigation."""
    pages = list(nav.pages)  # type: ignore[attr-defined]
    _state["order"] = [page.file.src_uri for page in pages]
    for page in pages:
        if page.title and page.file.src_uri in _state["uses"]:  # type: ignore[operator]
            _state["titles"][page.file.src_uri] = page.title  # type: ignore[index]


def process_page(content: str, page: object, files: object) -> str:
    """on_page_content: "Used on" lines on the API page, links to the entries on every other page."""
    from mkdocs.utils import get_relative_url

    documented: dict[str, str] = _state["documented"]  # type: ignore[assignment]
    if not documented:
        return content
    if page.file.src_uri != API_PAGE:  # type: ignore[attr-defined]
        return link_names(content, documented)
    used_on: dict[str, list[tuple[str, str]]] = {}
    for src in nav_order(_state["order"], _state["uses"]):  # type: ignore[arg-type]
        target = files.get_file_from_path(src)  # type: ignore[attr-defined]
        title = _state["titles"].get(src, src)  # type: ignore[attr-defined]
        for name in _state["uses"][src]:  # type: ignore[index]
            used_on.setdefault(name, []).append((title, get_relative_url(target.url, page.file.url)))  # type: ignore[attr-defined]
    try:
        return add_used_on(links_outside_code(content), documented, used_on, str(_state["language"]))
    except ValueError as err:
        from mkdocs.exceptions import PluginError

        raise PluginError(str(err)) from err
