"""The figures' texts in Spanish: English text -> Spanish text (used by :func:`chainrule_site.figures.tr`).

A key is the exact English string a figure passes to ``tr``; a template keeps its
``{name}`` fields (and ``{{``/``}}`` escapes) in both languages, and every formula
``$...$`` is identical.  Numbers keep a decimal point.  Proper names (libraries,
Richardson) and units are the same in both languages: their entries map to themselves.
Terms follow the glossary (docs/es/glossary.md).
"""

SPANISH: dict[str, str] = {
    # mlp.py: relu-kink-central-difference
    "central difference": "diferencia central",
    "stencil straddles the kink": "z ± h a ambos lados del quiebre",
    "at the kink: 1/2": "en el quiebre: 1/2",
    "distance of z from the kink, in units of the step h": "distancia de z al quiebre, en unidades del paso h",
    "estimate of ReLU′(z)": "estimación de ReLU′(z)",
    "Central differences near ReLU's kink": "Diferencias centrales cerca del quiebre de la ReLU",
    # modes.py: forward-vs-reverse-mode (the first label also in performance-modes)
    "forward mode (n JVPs)": "modo directo (n JVP)",
    "reverse mode (1 sweep)": "modo inverso (1 barrido)",
    "derivative flops (from shapes)": "flops de las derivadas (según las formas)",
    "measured time (median)": "tiempo medido (mediana)",
    "flops": "flops",
    "milliseconds": "milisegundos",
    "width n (K = {depth} tanh layers)": "anchura n (K = {depth} capas tanh)",
    # numerics.py: numerical-derivative-error and central-difference-precision
    "forward difference": "diferencia hacia delante",
    "Richardson": "Richardson",
    "complex step": "paso complejo",
    r"round-off $\epsilon_{\mathrm{mach}} / h$": r"redondeo $\epsilon_{\mathrm{mach}} / h$",
    "step $h$": "paso $h$",
    "relative error of $f'$ (median)": "error relativo de $f'$ (mediana)",
    r"Derivative of $e^x \sin x$: error against step": r"Derivada de $e^x \sin x$: error frente al paso",
    "left: round-off, slope $-1$\nright: truncation, slope\n1 (forward), 2 (central and\ncomplex), 4 (Richardson)":
        "izquierda: redondeo, pendiente $-1$\nderecha: truncamiento, pendiente\n1 (hacia delante), 2 (central y\npaso complejo), 4 (Richardson)",
    "Central differences: float64 against float32": "Diferencias centrales: float64 frente a float32",
    # performance.py: performance-frameworks
    "chainrule fused": "chainrule fusionado",
    "fused, 1 thread": "fusionado, 1 hilo",
    "PyTorch CPU": "PyTorch CPU",
    "JAX jit CPU": "JAX jit CPU",
    "chainrule unfused": "chainrule sin fusionar",
    "exps alone, in cache": "solo las exp, en caché",
    "loss + gradient, ms (median)": "pérdida + gradiente,\nms (mediana)",  # two lines: one overlaps the next panel's
    # performance.py: performance-jacobian-vs-fused
    "explicit Jacobian, O(C²)": "jacobiana explícita, O(C²)",
    "fused, O(C)": "fusionado, O(C)",
    "milliseconds (median)": "milisegundos (mediana)",
    "peak extra memory, MiB": "pico de memoria adicional, MiB",
    "classes C ({rows} rows, {dtype})": "clases C ({rows} filas, {dtype})",
    # performance.py: performance-modes
    "reverse mode (1 VJP sweep)": "modo inverso (1 barrido de VJP)",
    "inputs n (K = {depth} tanh layers of width n)": "entradas n (K = {depth} capas tanh de anchura n)",
    "gradient, ms (median)": "gradiente, ms (mediana)",
    # performance.py: performance-backward-forward
    "PyTorch": "PyTorch",
    "JAX jit": "JAX jit",
    "(loss + gradient − loss) / loss": "(pérdida + gradiente − pérdida) / pérdida",
    # softmax.py: softmax-jacobian-heatmap
    r"column $j$: the logit that is nudged": r"columna $j$: el logit que se perturba",
    r"row $i$: the probability that responds": r"fila $i$: la probabilidad que responde",
    r"$J_{{ij}} = \partial p_i / \partial z_j$ at $z = ({z})$": r"$J_{{ij}} = \partial p_i / \partial z_j$ en $z = ({z})$",
}
