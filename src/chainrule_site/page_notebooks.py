"""Every page as a Jupyter notebook, generated from its Markdown at build time.

:func:`page_notebook` turns a page into a notebook that runs as the page's
tests do:

* the prose becomes Markdown cells, its maths kept as TeX (``\\( \\)`` becomes
  ``$ $``, which Jupyter and Colab both typeset; ``\\label{name}`` becomes a
  number and an anchor, as on the site); the hidden equation checks
  (``<!-- eq:... -->``) and other comments are dropped; links and figures
  point at the published site;
* every Python block becomes a code cell, in page order, including the blocks
  nested in admonitions, "Checked" boxes, tabs and drill solutions
  (:func:`chainrule_site.fences.expose_nested_blocks`); a block's box or tab
  title becomes a bold line above it;
* a block that continues the one before it (``{.python continuation}``) runs
  in the same kernel session; a block that starts afresh on the page starts
  with ``%reset -f``, which clears the variables of the blocks before it, as
  pytest-markdown-docs runs each chain in fresh globals;
* a block that imports the site's own code (``chainrule_site``, which the
  ``chainrule`` package does not ship) is shown as code in a Markdown cell,
  with a note that it runs in the repository, and so are the blocks that
  continue it;
* the first cells say how to install ``chainrule`` from the repository and
  install it (and PyTorch, on a page whose code uses it as an oracle) when it
  is missing, so the notebook runs in Jupyter and in Colab.

The notebook is a pure function of the page's source; the hooks add one per
page with Python blocks to the site (next to the page, as
``chainrule-<page>.ipynb``) and the page offers it for download;
``tests/test_page_notebooks.py`` runs every one in a fresh kernel through
:func:`chainrule_site.notebooks.executed` (cached by the notebook's bytes and
the package's sources).
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from dataclasses import dataclass, field

from chainrule_site.equations.source import strip_directives
from chainrule_site.fences import CONTAINER_MARKER, PYTHON_FENCE, expose_nested_blocks

__all__ = ["REPOSITORY", "SITE", "add_to_site", "notebook_name", "notebook_text", "offer", "page_notebook", "site_url_of"]

#: The repository readers install from, and the published site the notebooks link to
#: (mkdocs.yml's default ``site_url``; tests/test_page_notebooks.py checks they agree).
REPOSITORY = "https://github.com/chainrule/chainrule"
SITE = "https://chainrule.github.io/chainrule/"
#: Pages that get no notebook: the API reference has no blocks of its own.
EXCLUDED = ("reference/",)
#: Marks a chain that needs the repository (the site's own package).
_SITE_ONLY = re.compile(r"\bchainrule_site\b")
#: Third-party packages a page's code may import besides chainrule (and NumPy, its dependency).
EXTRA_PACKAGES = {"torch": "torch"}
#: Above a block shown as code only.
SITE_ONLY_NOTE = ("*In the repository only: this block, or one it continues, uses the site's own code "
                  "(`chainrule_site`), which the `chainrule` package does not include; it runs as a test "
                  "of the site.*")
#: The same note in each edition's language.
SITE_ONLY_NOTES = {"en": SITE_ONLY_NOTE,
                   "es": ("*Solo en el repositorio: este bloque, o uno al que continúa, usa el código propio del sitio "
                          "(`chainrule_site`), que el paquete `chainrule` no incluye; se ejecuta como test del sitio.*")}

_FENCE_OPEN = re.compile(r"^(?P<mark>`{3,}|~{3,})\s*(?P<info>.*)$")
_CONTAINER = re.compile(r'^ *(?:!!!|\?\?\?\+?|===\+?!?) *(?P<kind>[\w-]+)?(?: *"(?P<title>[^"]*)")?')
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)
_INLINE_MATH = re.compile(r"\\\((?P<tex>.+?)\\\)", re.S)
_LINK = re.compile(r"(?P<open>!?\[(?:[^\]\[]|\[[^\]]*\])*\]\()(?P<target>[^)\s]+)(?P<close>[^)]*\))")
_DISPLAY_MATH = re.compile(r"^(?P<indent>[ ]*)\$\$[ ]*\n(?P<body>.*?)^(?P=indent)\$\$[ ]*$", re.M | re.S)
_LABEL = re.compile(r"\\label\{(?P<name>[a-z0-9][a-z0-9-]*)\}")


def notebook_name(src_uri: str) -> str:
    """``softmax/jacobian.md`` -> ``chainrule-softmax-jacobian.ipynb`` (``index.md`` -> ``chainrule.ipynb``)."""
    stem = src_uri.removesuffix(".md").removesuffix("/index").removesuffix("index")
    return f"chainrule-{stem.replace('/', '-')}.ipynb" if stem else "chainrule.ipynb"


def site_url_of(src_uri: str, language: str = "en") -> str:
    """The published URL of a page or file of ``docs/`` (directory URLs, as the site uses), in an edition.

    Each edition is a whole site of its own (the Spanish one under ``es/``), figures included.
    """
    edition = SITE + ("" if language == "en" else f"{language}/")
    if src_uri.endswith(".md") or src_uri.endswith(".ipynb"):
        stem = src_uri.rsplit(".", 1)[0]
        stem = "" if stem == "index" else stem.removesuffix("/index")
        return edition + (stem + "/" if stem else "")
    return edition + src_uri


@dataclass
class _Block:
    code: str
    continuation: bool


@dataclass
class _Page:
    items: list[str | _Block] = field(default_factory=list)


def _absolute_links(text: str, src_uri: str, language: str = "en") -> str:
    """Point relative links and images at the published site (a notebook has no site around it)."""

    def absolute(match: re.Match[str]) -> str:
        target = match["target"]
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", target):
            return match[0]
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
        url = site_url_of(resolved, language) + (f"#{anchor}" if anchor else "")
        return f"{match['open']}{url}{match['close']}"

    return _LINK.sub(absolute, text)


def _prose(text: str, src_uri: str, language: str = "en") -> str:
    """A Markdown cell's text: ``\\( \\)`` maths as ``$ $``, site-relative links made absolute (code spans untouched)."""
    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_outside_code(text[last:span.start()], src_uri, language))
        pieces.append(span[0])
        last = span.end()
    pieces.append(_outside_code(text[last:], src_uri, language))
    return "".join(pieces).strip("\n")


def _outside_code(text: str, src_uri: str, language: str) -> str:
    text = _INLINE_MATH.sub(lambda m: f"${m['tex'].strip()}$", text)
    return _absolute_links(text, src_uri, language)


def _number_equations(markdown: str) -> str:
    r"""``\label{name}`` -> ``\tag{n}`` with an ``<a id="eq-name"></a>`` anchor before the equation, as on the site."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        label = _LABEL.search(match["body"])
        if not label:
            return match[0]
        count += 1
        body = _LABEL.sub(f"\\\\tag{{{count}}}", match["body"])
        indent = match["indent"]
        return f'{indent}<a id="eq-{label["name"]}"></a>\n\n{indent}$$\n{body}{indent}$$'

    return _DISPLAY_MATH.sub(number, markdown)


def _container_title(line: str) -> str | None:
    match = _CONTAINER.match(line)
    if not match:
        return None
    return match["title"] if match["title"] is not None else (match["kind"] or "").capitalize() or None


def _parse(markdown: str) -> _Page:
    """Split a page into prose and Python blocks, in order."""
    source = _COMMENT.sub("", _number_equations(strip_directives(markdown)))
    original = source.splitlines()
    exposed = expose_nested_blocks(source).splitlines()
    page = _Page()
    prose: list[str] = []
    fence: str | None = None
    info = ""
    body: list[str] = []

    def flush() -> None:
        if "".join(prose).strip():
            page.items.append("\n".join(prose))
        prose.clear()

    for line, raw in zip(exposed, original, strict=True):
        if fence is None:
            opening = _FENCE_OPEN.match(line)
            if opening:
                fence, info, body = opening["mark"], opening["info"], []
                if not PYTHON_FENCE.match(line):
                    prose.append(line)
                continue
            if not line.strip() and raw.strip() and CONTAINER_MARKER.match(raw):
                title = _container_title(raw)
                if title:
                    prose += ["", f"**{title.strip()}**", ""]
                continue
            prose.append(line)
            continue
        if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            if PYTHON_FENCE.match(f"{fence}{info}"):
                options = set(re.findall(r"[\w-]+", info.replace(".python", "").replace(".py", "")))
                if "notest" in options:
                    prose += [f"{fence}python", *body, fence]
                else:
                    flush()
                    page.items.append(_Block("\n".join(body), "continuation" in options))
            else:
                prose.append(line)
            fence = None
            continue
        (body if PYTHON_FENCE.match(f"{fence}{info}") else prose).append(line)
    flush()
    return page


def _chains(items: list[str | _Block]) -> list[list[int]]:
    """The indices of the blocks of each chain (a block that starts afresh and its continuations)."""
    chains: list[list[int]] = []
    for index, item in enumerate(items):
        if isinstance(item, _Block):
            if item.continuation and chains:
                chains[-1].append(index)
            else:
                chains.append([index])
    return chains


def _names(code: str) -> tuple[set[str], set[str], set[str]] | None:
    """What a block binds, what it reads without binding it itself, and what it may mutate (None: no parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    bound: set[str] = set()
    loaded: set[str] = set()
    modules: set[str] = set()
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            bound |= names
            modules |= names
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            roots.add(_root(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            roots.add(_root(node.func.value))  # a method call may change its object
    return bound, loaded - bound, {root for root in roots if root and root not in modules} | bound


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _site_only(items: list[str | _Block]) -> set[int]:
    """The blocks that need the repository: those that import ``chainrule_site``, and those that use their work.

    A block that continues a site-only one is site-only too when it reads a
    name that a site-only block bound or may have changed (by assignment,
    item or attribute assignment, or a method call), or when it does not
    parse on its own; otherwise it runs, as do the blocks before the first
    site-only one.  The notebook's test runs what this keeps, so a dependency
    it misses fails that test (a NameError), not the reader.
    """
    site_only: set[int] = set()
    for chain in _chains(items):
        tainted: set[str] = set()
        for index in chain:
            block: _Block = items[index]  # type: ignore[assignment]
            names = _names(block.code)
            if _SITE_ONLY.search(block.code) or (tainted and (names is None or names[1] & tainted)):
                site_only.add(index)
                tainted |= names[2] if names else set()
            elif tainted and names:
                tainted -= names[0]  # rebound here by code that runs: the notebook's value from now on
    return site_only


def _needs(blocks: list[_Block]) -> list[str]:
    """The extra packages (beyond chainrule and NumPy) the runnable blocks import."""
    found = set()
    for block in blocks:
        for module in re.findall(r"^\s*(?:import|from)\s+(\w+)", block.code, re.M):
            if module in EXTRA_PACKAGES:
                found.add(EXTRA_PACKAGES[module])
            elif module not in sys.stdlib_module_names and module not in ("numpy", "chainrule", "chainrule_site"):
                raise ValueError(f"a block imports {module!r}: add it to page_notebooks.EXTRA_PACKAGES "
                                 "so the notebook's first cell installs it")
    return sorted(found)


def _intro(title: str, src_uri: str, extra: list[str], language: str = "en") -> tuple[str, str]:
    """The first two cells: what this is and how to install chainrule; the cell that installs it."""
    page_url = site_url_of(src_uri, language)
    if language == "es":
        return _intro_es(title, page_url, extra), _install_cell(extra)
    also = ""
    if extra:
        names = ", ".join(f"`{name}`" for name in extra)
        also = (f" Some blocks compare with {names} (PyTorch, an independent check); Colab has it, "
                "and the next cell installs it elsewhere if it is missing.")
    markdown = f"""# {title}

This notebook is the page [{title}]({page_url}) of **chainrule**, the executable
textbook of backpropagation: its text, its maths and every code block, in order,
generated from the page when the site was built.

**Install.** The code imports the `chainrule` package (NumPy is its one
dependency), installed from its repository:

```bash
pip install "git+{REPOSITORY}"
```

It runs in Jupyter and in Colab: run the next cell, which installs `chainrule`
if it is not installed yet, then run the cells from top to bottom.{also}

**How the cells run.** A cell that starts with `%reset -f` starts afresh, as the
block does on the page: it clears the variables of the cells before it. A cell
without it continues the one before it and needs it to have run first."""
    return markdown, _install_cell(extra)


def _intro_es(title: str, page_url: str, extra: list[str]) -> str:
    """The first cell of a Spanish page's notebook (what :func:`_intro` says, in Spanish)."""
    also = ""
    if extra:
        names = ", ".join(f"`{name}`" for name in extra)
        also = (f" Algunos bloques comparan con {names} (PyTorch, una comprobación independiente); Colab "
                "lo trae, y la celda siguiente lo instala en otro entorno si falta.")
    return f"""# {title}

Este cuaderno es la página [{title}]({page_url}) de **chainrule**, el libro de
texto ejecutable de la retropropagación: su texto, sus matemáticas y cada bloque
de código, en orden, generados a partir de la página al construir el sitio.

**Instalación.** El código importa el paquete `chainrule` (su única dependencia
es NumPy), que se instala desde su repositorio:

```bash
pip install "git+{REPOSITORY}"
```

Funciona en Jupyter y en Colab: ejecuta la celda siguiente, que instala
`chainrule` si aún no está instalado, y después las celdas de arriba abajo.{also}

**Cómo se ejecutan las celdas.** Una celda que empieza con `%reset -f` empieza
de cero, como el bloque en la página: borra las variables de las celdas
anteriores. Una celda sin esa línea continúa la anterior y necesita que esta se
haya ejecutado antes."""


def _install_cell(extra: list[str]) -> str:
    """The code cell that installs chainrule (and the extra packages) when they are missing."""
    lines = ["# Install chainrule from its repository when it is not installed (Colab, a fresh Jupyter).",
             "import importlib.util", "",
             'if importlib.util.find_spec("chainrule") is None:',
             f'    %pip install --quiet "git+{REPOSITORY}"']
    for name in extra:
        lines += [f'if importlib.util.find_spec("{name}") is None:', f"    %pip install --quiet {name}"]
    return "\n".join(lines)


def page_notebook(markdown: str, src_uri: str, language: str = "en") -> dict | None:
    """The notebook of one page, or None if the page has no Python block (or is excluded).

    Parameters
    ----------
    markdown : str
        The page's source.
    src_uri : str
        Its path under ``docs/`` (``softmax/jacobian.md``): relative links are
        resolved against it.
    language : {"en", "es"}, default "en"
        The edition: the first cell's language, and the edition links lead to.

    Returns
    -------
    nbformat.NotebookNode or None
        An nbformat 4 notebook without outputs.

    Raises
    ------
    ValueError
        If a block imports a third-party package the first cell would not install.
    """
    import nbformat

    if src_uri.startswith(EXCLUDED):
        return None
    from chainrule_site.translations import FRONT_MATTER

    markdown = FRONT_MATTER.sub("", markdown)
    page = _parse(markdown)
    blocks = [item for item in page.items if isinstance(item, _Block)]
    if not blocks:
        return None
    site_only = _site_only(page.items)
    runnable = [item for index, item in enumerate(page.items) if isinstance(item, _Block) and index not in site_only]
    match = re.search(r"^# +(?P<title>.+?) *$", markdown, re.M)
    title = match["title"] if match else src_uri
    intro, install = _intro(title, src_uri, _needs(runnable), language)
    cells = [nbformat.v4.new_markdown_cell(intro), nbformat.v4.new_code_cell(install)]
    body_started = False
    for index, item in enumerate(page.items):
        if isinstance(item, str):
            text = _prose(item, src_uri, language)
            if not body_started:  # the page's own title is the notebook's first heading already
                text = re.sub(r"^# .*\n?", "", text, count=1).strip("\n")
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
            body_started = True
            continue
        body_started = True
        if index in site_only:
            cells.append(nbformat.v4.new_markdown_cell(f"{SITE_ONLY_NOTES[language]}\n\n```python\n{item.code}\n```"))
            continue
        code = item.code if item.continuation else f"%reset -f\n{item.code}"
        cells.append(nbformat.v4.new_code_cell(code))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "chainrule": {"page": src_uri, "url": site_url_of(src_uri, language), "language": language},
    })
    # Stable cell ids: the same page gives the same bytes (the execution cache keys by them).
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return notebook


def notebook_text(markdown: str, src_uri: str, language: str = "en") -> str | None:
    """:func:`page_notebook` as the text of an ``.ipynb`` file (None when the page gets none)."""
    import nbformat

    notebook = page_notebook(markdown, src_uri, language)
    return None if notebook is None else nbformat.writes(notebook)


# -- the hooks' side (called from chainrule_site/hooks.py) -------------------------------------

#: Page src_uri -> its notebook's URL (site-relative), filled by add_to_site for each build.
_notebooks: dict[str, str] = {}


def add_to_site(files: object, config: object) -> None:
    """on_files: add each page's notebook to the site, in the page's own folder."""
    from mkdocs.structure.files import File

    _notebooks.clear()
    for file in list(files.documentation_pages()):  # type: ignore[attr-defined]
        if not file.src_uri.endswith(".md"):
            continue
        try:
            text = notebook_text(file.content_string, file.src_uri, config["theme"]["language"])  # type: ignore[index]
        except ValueError as err:
            from mkdocs.exceptions import PluginError

            raise PluginError(f"{file.src_uri}: {err}") from err
        if text is None:
            continue
        folder = file.url.rstrip("/") if file.url.endswith("/") else posixpath.dirname(file.url)
        path = posixpath.join(folder, notebook_name(file.src_uri))
        files.append(File.generated(config, path, content=text))  # type: ignore[attr-defined]
        _notebooks[file.src_uri] = path


def offer(page: object) -> None:
    """on_page_markdown: tell the template (``page.meta.notebook``) where the page's notebook is."""
    from mkdocs.utils import get_relative_url

    path = _notebooks.get(page.file.src_uri)  # type: ignore[attr-defined]
    if path:
        page.meta["notebook"] = get_relative_url(path, page.file.url)  # type: ignore[attr-defined]
