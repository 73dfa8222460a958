"""Parse the LaTeX of a display equation into relations that can be evaluated.

The pages write equations in ordinary LaTeX; this module reads a documented
subset of it.  :func:`parse_equation` turns the body of a ``$$ ... $$`` block
into a list of :class:`Chain` objects, one per relation chain
(``a = b = c`` is one chain with two links), each side an expression tree of
:class:`Node` objects that :mod:`chainrule_site.equations.evaluate` computes
with NumPy.

The subset
----------
Layout
    ``\\begin{aligned}`` rows separated by ``\\\\``; a row that starts with a
    relation or an operator (after ``&`` and spacing) continues the chain of
    the row above.  ``&`` before a relation or an operator is alignment; any
    other ``&`` and ``\\quad``/``\\qquad``/``\\Longrightarrow`` separate two
    relations on one line.  A separated piece that is wholly parenthesised
    (``(y \\text{ constant})``) or only text is a side remark and is dropped;
    ``\\text{if }`` before a relation makes it a condition, checked like the rest.
    Trailing ``,`` ``.`` ``;`` are punctuation.  ``\\label``, ``\\left``,
    ``\\right``, ``\\bigl`` and friends, ``\\,`` ``\\;`` ``\\!`` are ignored.
Relations
    ``=``, ``\\approx``, ``\\le``, ``\\ge``, ``<``, ``>``, ``\\in`` (with
    ``\\mathbb R^{m\\times n}``: a shape check).
Operators
    ``+``, ``-``, ``\\pm`` (checked with both signs), juxtaposition and
    ``\\cdot`` (matrix product when both sides are matrices, else product),
    ``\\odot`` and ``\\oslash`` (elementwise, shapes must agree), ``/``,
    ``\\frac``, ``\\tfrac``, powers ``x^2``, transposes ``x^\\top``.
Names
    One letter (``Wx`` is ``W`` times ``x``), Greek letters by name
    (``\\sigma`` is ``sigma``), primes (``f'`` is ``f_prime``, ``L'''`` is
    ``L_prime3``), ``\\bar v`` is ``vbar``, ``\\mathbf 1`` is ``one``,
    ``\\Delta t`` (``\\Delta`` right before a bare letter) is the increment
    ``Delta_t`` when the check binds that name and the product otherwise,
    ``\\operatorname{name}`` and ``\\text{name}`` are ``name``.  A subscript
    either names a symbol of its own (``W_1``, ``J_g``: when the check binds
    that composite name) or indexes (``p_i``, ``J_{ij}``, ``(W_1)_{jk}``:
    indices count from 1).  A superscript is a layer when the base is layered
    (``W^\\ell``, ``a^{\\ell-1\\top}``) and a power otherwise.
Calculus
    ``\\frac{\\partial A}{\\partial v}``, ``\\frac{dA}{dt}``, the operators
    ``\\frac{\\partial}{\\partial v}`` and ``\\frac{d}{dt}`` applied to what
    follows, and ``\\nabla_v A``.  ``\\sum_{i=1}^{C}``, ``\\sum_i`` (over the
    declared range of ``i``), ``\\delta_{ij}`` (Kronecker, unless bound),
    ``[k=i]`` (Iverson), ``e^{x}``, ``\\log``, ``\\exp``, ``\\sin``, ``\\cos``,
    ``\\operatorname{Im}``, ``\\lvert x\\rvert``, ``\\langle u, v\\rangle``,
    ``\\begin{bmatrix}``, ``\\begin{cases}``, ``O(h^4)`` and ``\\dots`` (a
    remainder: the relation is checked by its order in the small quantity).
Shapes
    ``\\underbrace{X}_{m\\times n}`` evaluates ``X`` and checks its shape (the
    check must bind ``m`` and ``n``: an unbound dimension is an error).  A
    label that is a formula with a bracket
    (``\\underbrace{X}_{1 - \\sigma(z)}``) is a claim: ``X`` must equal it.

Anything else raises :class:`LatexError` naming the construct, so an
equation the checker cannot read is never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Chain", "LatexError", "Node", "parse_equation", "tokenize"]


class LatexError(ValueError):
    """The LaTeX of an equation is outside the subset the checker reads."""


@dataclass(frozen=True)
class Token:
    """One token of LaTeX: ``kind`` is ``cmd``, ``name``, ``num``, ``op``, ``text``, ``opname`` or ``env``."""

    kind: str
    value: str
    pos: int = 0
    end: int = 0  # where the token's LaTeX ends (for editing the source)


@dataclass
class Node:
    """A node of an expression tree: ``op`` says what it computes, ``args`` its operands.

    ``op`` is one of ``num``, ``name``, ``neg``, ``add``, ``sub``, ``pm``,
    ``jux``, ``odot``, ``oslash``, ``div``, ``pow``, ``T``, ``sup``,
    ``index``, ``call``, ``func``, ``sum``, ``deriv``, ``nabla``, ``exp``,
    ``abs``, ``inner``, ``matrix``, ``cases``, ``iverson``, ``shape``,
    ``reals``, ``remainder``, ``tuple``, ``increment``, ``labelled``.
    """

    op: str
    args: list[Any] = field(default_factory=list)
    span: tuple[int, int] | None = None  # where the node's LaTeX is, when it is one factor

    def __repr__(self) -> str:
        return f"{self.op}({', '.join(map(repr, self.args))})"


@dataclass
class Chain:
    """A chain of relations ``sides[0] rel[0] sides[1] rel[1] ...``; ``source`` is its LaTeX."""

    sides: list[Node]
    relations: list[str]
    source: str
    side_sources: list[str] = field(default_factory=list)


_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega", "ell", "ast",
}
_FUNCTIONS = {"log", "exp", "sin", "cos", "tan", "tanh", "max", "min"}
_IGNORED = {
    "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "biggl", "biggr", "bigg", "Bigg",
    "textstyle", "displaystyle", "mathrm", "limits", "nolimits",
}
_RELATIONS = {"=": "=", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "<": "<", ">": ">",
              "in": "∈", "ne": "≠", "neq": "≠"}
_SEPARATORS = {"quad", "qquad", "Longrightarrow", "implies"}
_TOKEN = re.compile(
    r"(?P<label>\\(?:label|tag)\{[^}]*\})"
    r"|(?P<rowsep>\\\\(?:\[[^\]]*\])?)"
    r"|(?P<opname>\\(?:operatorname|text|textrm)\{(?:[^{}]|\\_)*\})"
    r"|(?P<env>\\(?:begin|end)\{[a-z*]+\})"
    r"|(?P<cmd>\\[A-Za-z]+|\\[,;:!{}| ])"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z])"
    r"|(?P<op>[-+=<>/(),.;&^_'{}\[\]|])"
    r"|(?P<space>\s+)"
    r"|(?P<bad>.)",
    re.S,
)


def tokenize(latex: str) -> list[Token]:
    """Split LaTeX into tokens, dropping labels, spacing and sizing commands.

    Parameters
    ----------
    latex : str
        The body of a display equation.

    Returns
    -------
    list of Token
    """
    tokens: list[Token] = []
    for match in _TOKEN.finditer(latex):
        kind, value = match.lastgroup, match.group()
        if kind in ("label", "space"):
            continue
        if kind == "bad":
            raise LatexError(f"unexpected character {value!r} at {match.start()}")
        if kind == "opname":
            inner = value[value.index("{") + 1:-1].replace("\\_", "_")
            kind = "text" if value.startswith("\\text") else "opname"
            tokens.append(Token(kind, inner, match.start(), match.end()))
            continue
        if kind == "cmd":
            name = value[1:]
            if name in _IGNORED or name in (",", ";", ":", "!", " "):
                continue
            tokens.append(Token("cmd", name, match.start(), match.end()))
            continue
        tokens.append(Token(kind, value, match.start(), match.end()))
    return tokens


def _is_relation(tok: Token | None) -> bool:
    if tok is None:
        return False
    return (tok.kind == "op" and tok.value in "=<>") or (tok.kind == "cmd" and tok.value in _RELATIONS)


def _is_operator(tok: Token | None) -> bool:
    if tok is None:
        return False
    return (tok.kind == "op" and tok.value in "+-") or (tok.kind == "cmd" and tok.value in ("pm", "mp"))


def _split_top(tokens: list[Token], is_sep) -> list[list[Token]]:
    """Split ``tokens`` where ``is_sep`` holds, outside braces, brackets and environments."""
    pieces: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "op" and tok.value in "{([":
            depth += 1
        elif tok.kind == "op" and tok.value in "})]":
            depth -= 1
        elif tok.kind == "env":
            depth += 1 if tok.value.startswith("\\begin") else -1
        if depth == 0 and is_sep(tok):
            pieces.append([])
        else:
            pieces[-1].append(tok)
    return pieces


def _strip_punctuation(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[-1].kind == "op" and tokens[-1].value in ",.;":
        tokens = tokens[:-1]
    while tokens and tokens[0].kind == "cmd" and tokens[0].value in _SEPARATORS:
        tokens = tokens[1:]
    return tokens


def _is_remark(tokens: list[Token]) -> bool:
    """A separated piece that only comments: all text, or wholly parenthesised."""
    if all(t.kind == "text" or (t.kind == "op" and t.value in ",.") for t in tokens):
        return True
    if tokens and tokens[0].value == "(" and tokens[-1].value == ")":
        depth = 0
        for n, tok in enumerate(tokens):
            depth += tok.value == "(" and tok.kind == "op"
            depth -= tok.value == ")" and tok.kind == "op"
            if depth == 0 and n < len(tokens) - 1:
                return False
        return True
    return False


def _rows(tokens: list[Token]) -> list[list[Token]]:
    """The logical lines of an equation: aligned rows joined where a row continues the one above."""
    envs = [t for t in tokens if t.kind == "env"]
    body = tokens
    if envs and envs[0].value in ("\\begin{aligned}", "\\begin{align*}", "\\begin{gathered}") and tokens[0] == envs[0]:
        if tokens[-1].value != envs[0].value.replace("begin", "end"):
            raise LatexError("text after \\end{aligned}")
        body = tokens[1:-1]
    rows: list[list[Token]] = []
    for row in _split_top(body, lambda t: t.kind == "rowsep"):
        row = list(row)
        while row and (row[0].kind == "op" and row[0].value == "&" or row[0].kind == "cmd" and row[0].value in ("quad", "qquad")):
            row = row[1:]
        if not row:
            continue
        if rows and (_is_relation(row[0]) or _is_operator(row[0])):
            rows[-1].extend(row)
        else:
            rows.append(row)
    return rows


def _pieces(row: list[Token]) -> list[list[Token]]:
    """Split one logical line into the relations written side by side on it."""
    cleaned: list[Token] = []
    depth = 0  # inside a matrix or cases, ``&`` separates cells: keep it
    for n, tok in enumerate(row):
        if tok.kind == "env":
            depth += 1 if tok.value.startswith("\\begin") else -1
        if tok.kind == "op" and tok.value == "&" and depth == 0:
            nxt = row[n + 1] if n + 1 < len(row) else None
            if _is_relation(nxt) or _is_operator(nxt):
                continue
            if nxt is not None and nxt.kind == "cmd" and nxt.value in ("quad", "qquad"):
                continue
        cleaned.append(tok)

    def separates(tok: Token) -> bool:
        return (tok.kind == "op" and tok.value == "&") or (tok.kind == "cmd" and tok.value in _SEPARATORS)

    pieces = []
    for piece in _split_top(cleaned, separates):
        piece = _strip_punctuation(piece)
        if not piece or _is_remark(piece):
            continue
        if piece[0].kind == "text" and piece[0].value.strip() in _CONDITION_WORDS:
            piece = piece[1:]
        pieces.append(piece)
    return pieces


#: Words that open a condition after an equation ("for all i", "if i = j"), in English and in Spanish.
_CONDITION_WORDS = ("if", "for", "where", "with", "si", "para", "donde", "con")


def parse_equation(latex: str) -> list[Chain]:
    """Parse the body of a display equation into relation chains.

    Parameters
    ----------
    latex : str
        What stands between ``$$`` and ``$$``.

    Returns
    -------
    list of Chain
        One chain per relation; an equation with no relation gives none.

    Raises
    ------
    LatexError
        If the LaTeX uses a construct outside the documented subset.
    """
    chains = []
    for row in _rows(tokenize(latex)):
        for piece in _pieces(row):
            sides, relations, side_sources = [], [], []
            for part in _split_top(piece, _is_relation_factory(relations)):
                if not part:
                    raise LatexError("a relation with an empty side")
                sides.append(_Parser(part).parse())
                side_sources.append(_source(latex, part))
            if relations:
                chains.append(Chain(sides, relations, _source(latex, piece), side_sources))
            elif chains:
                raise LatexError(f"no relation in {_text(piece)!r}")
    return chains


def _is_relation_factory(relations: list[str]):
    def is_rel(tok: Token) -> bool:
        if _is_relation(tok):
            relations.append(_RELATIONS[tok.value])
            return True
        return False

    return is_rel


def _source(latex: str, tokens: list[Token]) -> str:
    """The LaTeX that ``tokens`` came from, on one line."""
    last = tokens[-1]
    end = latex.find(last.value, last.pos) + len(last.value) if last.kind not in ("opname", "text") else latex.find("}", last.pos) + 1
    return " ".join(latex[tokens[0].pos:end].split())


def _text(tokens: list[Token]) -> str:
    return " ".join(t.value for t in tokens)


class _Parser:
    """Recursive descent over one side of a relation."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0

    # -- token helpers -------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        n = self.pos + offset
        return self.tokens[n] if n < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise LatexError("unexpected end of expression")
        self.pos += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind and (value is None or tok.value == value)

    def expect(self, kind: str, value: str) -> None:
        tok = self.next()
        if tok.kind != kind or tok.value != value:
            raise LatexError(f"expected {value!r}, got {tok.value!r}")

    def group_tokens(self) -> list[Token]:
        """The tokens of a ``{...}`` group, or the single next token."""
        if self.at("op", "{"):
            self.next()
            start, depth = self.pos, 1
            while depth:
                tok = self.next()
                if tok.kind == "op" and tok.value == "{":
                    depth += 1
                elif tok.kind == "op" and tok.value == "}":
                    depth -= 1
            return self.tokens[start:self.pos - 1]
        return [self.next()]

    def sub_parse(self, tokens: list[Token]) -> Node:
        return _Parser(tokens).parse()

    # -- grammar --------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise LatexError(f"cannot read {_text(self.tokens[self.pos:])!r}")
        return node

    def expr(self) -> Node:
        node = self.term()
        while _is_operator(self.peek()):
            tok = self.next()
            right = self.term()
            if tok.value == "+":
                node = Node("add", [node, right])
            elif tok.value == "-":
                node = Node("sub", [node, right])
            else:
                node = Node("pm", [node, right, 1 if tok.value == "pm" else -1])
        return node

    def term(self) -> Node:
        if _is_operator(self.peek()):
            tok = self.next()
            operand = self.product()
            if tok.value == "+":
                return operand
            if tok.value == "-":
                return Node("neg", [operand])
            return Node("pm", [Node("num", [0.0]), operand, 1 if tok.value == "pm" else -1])
        return self.product()

    def starts_factor(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind in ("name", "num", "opname", "text", "env"):
            return tok.kind != "env" or tok.value.startswith("\\begin")
        if tok.kind == "op":
            return tok.value in "([|"
        if tok.kind == "cmd":
            return tok.value not in ("cdot", "odot", "oslash", "times", "pm", "mp", "rangle", "rvert") \
                and tok.value not in _RELATIONS and tok.value not in _SEPARATORS and tok.value != "circ"
        return False

    def product(self) -> Node:
        node = self.factor()
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == "cmd" and tok.value in ("cdot", "odot", "oslash", "times"):
                self.next()
                op = {"cdot": "jux", "times": "jux", "odot": "odot", "oslash": "oslash"}[tok.value]
                node = Node(op, [node, self.factor()])
            elif tok is not None and tok.kind == "op" and tok.value == "/":
                self.next()
                node = Node("div", [node, self.factor()])
            elif self.starts_factor():
                node = Node("jux", [node, self.factor()])
            else:
                return node

    def factor(self) -> Node:
        first = self.peek()
        node = self.postfix(self.primary())
        if first is not None and self.pos > 0:
            node.span = (first.pos, self.tokens[self.pos - 1].end)
        return node

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("op", "'"):
                count = 0
                while self.at("op", "'"):
                    self.next()
                    count += 1
                if node.op != "name":
                    raise LatexError("a prime after something that is not a name")
                node = Node("name", [node.args[0] + "_prime" + (str(count) if count > 1 else "")])
            elif self.at("op", "^"):
                self.next()
                node = self.superscript(node, self.group_tokens())
            elif self.at("op", "_"):
                self.next()
                node = self.subscript(node, self.group_tokens())
            elif self.at("op", "("):
                # f(x)^T or p_i (1 - p_i)^2: a call if f is a function, else a product
                # in which the postfix binds to the bracket.  Decided when evaluated.
                args = self.paren_args()
                start = self.pos
                as_factor = self.postfix(args)
                end, self.pos = self.pos, start
                as_call = self.postfix(Node("call", [node, args]))
                if self.pos != end:
                    raise LatexError("ambiguous call")
                return Node("callor", [node, as_call, Node("jux", [node, as_factor])])
            else:
                return node

    def paren_args(self) -> Node:
        tokens = self.bracketed("(", ")")
        parts = _split_top(tokens, lambda t: t.kind == "op" and t.value == ",")
        if len(parts) == 1:
            return self.sub_parse(parts[0])
        return Node("tuple", [self.sub_parse(p) for p in parts])

    def bracketed(self, open_: str, close: str) -> list[Token]:
        self.expect("op", open_)
        start, depth = self.pos, 1
        while depth:
            tok = self.next()
            if tok.kind == "op" and tok.value == open_:
                depth += 1
            elif tok.kind == "op" and tok.value == close:
                depth -= 1
        return self.tokens[start:self.pos - 1]

    def superscript(self, base: Node, tokens: list[Token]) -> Node:
        transpose = bool(tokens) and tokens[-1].kind == "cmd" and tokens[-1].value in ("top", "T", "intercal")
        if transpose:
            tokens = tokens[:-1]
        if not transpose and len(tokens) == 1 and tokens[0].kind == "name" and tokens[0].value == "T":
            tokens, transpose = [], True
        node = base
        if tokens:
            node = Node("sup", [base, self.sub_parse(tokens)])
        return Node("T", [node]) if transpose else node

    def subscript(self, base: Node, tokens: list[Token]) -> Node:
        if not tokens:
            raise LatexError("empty subscript")
        key = "".join(t.value for t in tokens if t.kind in ("name", "num", "cmd") and t.value not in ("top",))
        indices = []
        if all(t.kind in ("name", "num") for t in tokens) and len(tokens) > 1 and not any(t.kind == "num" for t in tokens):
            indices = [Node("name", [t.value]) for t in tokens]  # {ij} is two indices
        elif any(t.kind == "op" and t.value == "," for t in tokens):
            indices = [self.sub_parse(p) for p in _split_top(tokens, lambda t: t.kind == "op" and t.value == ",")]
        else:
            try:
                indices = [self.sub_parse(tokens)]
            except LatexError:
                indices = []
        return Node("index", [base, indices, key])

    def primary(self) -> Node:
        tok = self.next()
        if tok.kind == "num":
            return Node("num", [float(tok.value)])
        if tok.kind == "name":
            if tok.value == "e" and self.at("op", "^"):
                self.next()
                return Node("exp", [self.sub_parse(self.group_tokens())])
            if tok.value == "O" and self.at("op", "("):
                return Node("remainder", [self.sub_parse(self.bracketed("(", ")"))])
            return Node("name", [tok.value])
        if tok.kind == "opname":
            return self.function(tok.value)
        if tok.kind == "text":
            return Node("name", [tok.value.strip()])
        if tok.kind == "op":
            if tok.value == "(":
                self.pos -= 1
                return self.paren_args()
            if tok.value == "[":
                self.pos -= 1
                inner = self.bracketed("[", "]")
                pieces = _split_top(inner, lambda t: _is_relation(t))
                if len(pieces) != 2:
                    raise LatexError("a bracket that is not an Iverson bracket [a = b]")
                return Node("iverson", [self.sub_parse(pieces[0]), self.sub_parse(pieces[1])])
            if tok.value == "|":
                inner = self.until_op("|")
                return Node("abs", [self.sub_parse(inner)])
            if tok.value == "{":
                self.pos -= 1
                return self.sub_parse(self.group_tokens())
        if tok.kind == "env":
            return self.environment(tok.value)
        if tok.kind == "cmd":
            return self.command(tok.value)
        raise LatexError(f"unexpected {tok.value!r}")

    def until_op(self, close: str, kind: str = "op") -> list[Token]:
        start = self.pos
        while not (self.peek() is not None and self.peek().kind == kind and self.peek().value == close):
            self.next()
        end = self.pos
        self.next()
        return self.tokens[start:end]

    def function(self, name: str) -> Node:
        if self.at("op", "'"):
            self.next()
            name += "_prime"
        fn = Node("name", [name])
        while self.at("op", "_") or self.at("op", "^"):
            op = self.next().value
            fn = self.subscript(fn, self.group_tokens()) if op == "_" else self.superscript(fn, self.group_tokens())
        if self.at("op", "("):
            return Node("call", [fn, self.paren_args()])
        if self.starts_factor():
            return Node("call", [fn, self.factor()])
        return fn

    def command(self, name: str) -> Node:
        if name in ("frac", "tfrac", "dfrac"):
            num, den = self.group_tokens(), self.group_tokens()
            return self.fraction(num, den)
        if name == "sum":
            return self.summation()
        if name == "nabla":
            self.expect("op", "_")
            target = self.sub_parse(self.group_tokens())
            return Node("nabla", [target, self.factor()])
        if name == "partial":
            raise LatexError("\\partial outside \\frac")
        if name in _FUNCTIONS:
            return self.function(name)
        if name == "Delta" and self.at("name") and not (
                self.peek(1) is not None and self.peek(1).kind == "op" and self.peek(1).value in "_^('"):
            return Node("increment", [Node("name", [name]), Node("name", [self.next().value])])
        if name in _GREEK:
            return Node("name", [name])
        if name == "mathbf":
            inner = self.group_tokens()
            if len(inner) == 1 and inner[0].value == "1":
                return Node("name", ["one"])
            return Node("name", ["".join(t.value for t in inner)])
        if name == "bar":
            inner = self.group_tokens()
            return Node("name", ["".join(t.value for t in inner) + "bar"])
        if name == "mathbb":
            self.group_tokens()
            if self.at("op", "^"):
                self.next()
                dims = _split_top(self.group_tokens(), lambda t: t.kind == "cmd" and t.value == "times")
                return Node("reals", [self.sub_parse(d) for d in dims])
            return Node("reals", [])
        if name == "underbrace":
            inner = self.sub_parse(self.group_tokens())
            self.expect("op", "_")
            label = self.group_tokens()
            dims = _split_top(label, lambda t: t.kind == "cmd" and t.value == "times")
            bracket = any(t.kind == "op" and t.value == "(" for t in label)
            if bracket and not any(t.kind == "text" or t.kind == "cmd" and t.value == "times" for t in label):
                return Node("labelled", [inner, self.sub_parse(label)])  # X_{1 - \sigma(z)}: a claim
            if any(t.kind == "text" for t in label) or len(dims) > 2 or bracket:
                return inner
            return Node("shape", [inner, [self.sub_parse(d) for d in dims]])
        if name in ("lvert", "vert"):
            return Node("abs", [self.sub_parse(self.until_op("rvert" if name == "lvert" else "vert", "cmd"))])
        if name == "langle":
            inner = self.until_op("rangle", "cmd")
            parts = _split_top(inner, lambda t: t.kind == "op" and t.value == ",")
            if len(parts) != 2:
                raise LatexError("\\langle needs two arguments")
            return Node("inner", [self.sub_parse(parts[0]), self.sub_parse(parts[1])])
        if name in ("dots", "ldots"):
            return Node("remainder", [None])
        if name == "cdots":
            return Node("name", ["cdots"])
        if name == "infty":
            return Node("num", [float("inf")])
        raise LatexError(f"unsupported command \\{name}")

    def fraction(self, num: list[Token], den: list[Token]) -> Node:
        def is_d(tokens: list[Token]) -> bool:
            return bool(tokens) and ((tokens[0].kind == "cmd" and tokens[0].value == "partial")
                                     or (tokens[0].kind == "name" and tokens[0].value == "d" and len(tokens) > 0))

        if is_d(den) and is_d(num) and (len(den) > 1):
            target = self.sub_parse(den[1:])
            total = den[0].kind == "name"
            if len(num) == 1:  # an operator: d/dt or partial/partial v applied to what follows
                operand = self.product()
                return Node("deriv", [operand, target, total])
            return Node("deriv", [self.sub_parse(num[1:]), target, total])
        return Node("div", [self.sub_parse(num), self.sub_parse(den)])

    def summation(self) -> Node:
        index, lower, upper = None, None, None
        if self.at("op", "_"):
            self.next()
            sub = self.group_tokens()
            pieces = _split_top(sub, lambda t: t.kind == "op" and t.value == "=")
            index = pieces[0][0].value if pieces[0] and pieces[0][0].kind in ("name", "cmd") else None
            if len(pieces) == 2:
                lower = self.sub_parse(pieces[1])
        if self.at("op", "^"):
            self.next()
            upper = self.sub_parse(self.group_tokens())
        if index is None:
            raise LatexError("\\sum without an index")
        return Node("sum", [index, lower, upper, self.product()])

    def environment(self, value: str) -> Node:
        name = value[len("\\begin{"):-1]
        if name not in ("bmatrix", "pmatrix", "cases"):
            raise LatexError(f"unsupported environment {name}")
        start, depth = self.pos, 1
        while depth:
            tok = self.next()
            if tok.kind == "env":
                depth += 1 if tok.value.startswith("\\begin") else -1
        body = self.tokens[start:self.pos - 1]
        rows = [r for r in _split_top(body, lambda t: t.kind == "rowsep") if r]
        cells = [_split_top(r, lambda t: t.kind == "op" and t.value == "&") for r in rows]
        if name == "cases":
            branches = []
            for cell in cells:
                if len(cell) != 2:
                    raise LatexError("a case needs a value and a condition")
                cond = _split_top(_strip_punctuation(cell[1]), lambda t: _is_relation(t))
                rel = next(t for t in cell[1] if _is_relation(t))
                branches.append((self.sub_parse(cell[0]), self.sub_parse(cond[0]), _RELATIONS[rel.value],
                                 self.sub_parse(cond[1])))
            return Node("cases", branches)
        return Node("matrix", [[self.sub_parse(c) for c in row] for row in cells])
