"""The tables that map LaTeX to Unicode.

Kept apart from the layout code so the tests (and anyone adding a symbol) can see the whole
vocabulary at once. Each symbol carries a *kind* that drives spacing, the way TeX's atom
classes do: binary operators and relations get a space on each side, ordinary atoms none.
"""

from __future__ import annotations

# Atom kinds (TeX's math classes, reduced to what a terminal layout needs).
ORD = "ord"  # letters, digits, ordinary symbols: no space between them
WORD = "word"  # a multi-letter word (\text{recall}, unknown command names): spaced from neighbours
BIN = "bin"  # binary operator: a space each side (unless unary)
UNARY = "unary"  # a binary operator with no left operand (-x): no space after it
REL = "rel"  # relation: a space each side
OPEN = "open"
CLOSE = "close"
PUNCT = "punct"  # comma, semicolon: a space after
OP = "op"  # big operator (∑, ∫): a space after
FN = "fn"  # function name (sin, log, \operatorname): a space before an argument without brackets
SPACE = "space"  # explicit space (\, \quad ~): suppresses automatic spacing next to it

GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π",
    "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "varGamma": "Γ", "varDelta": "Δ", "varTheta": "Θ", "varLambda": "Λ", "varXi": "Ξ",
    "varPi": "Π", "varSigma": "Σ", "varUpsilon": "Υ", "varPhi": "Φ", "varPsi": "Ψ",
    "varOmega": "Ω", "digamma": "ϝ",
}

ORDINARY: dict[str, str] = {
    "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃", "nexists": "∄",
    "emptyset": "∅", "varnothing": "∅", "neg": "¬", "lnot": "¬", "aleph": "ℵ", "beth": "ℶ",
    "hbar": "ℏ", "hslash": "ℏ", "ell": "ℓ", "wp": "℘", "Re": "ℜ", "Im": "ℑ", "imath": "ı",
    "jmath": "ȷ", "prime": "′", "angle": "∠", "measuredangle": "∡", "triangle": "△",
    "square": "□", "Box": "□", "blacksquare": "■", "Diamond": "◇", "diamond": "⋄",
    "clubsuit": "♣", "diamondsuit": "♢", "heartsuit": "♡", "spadesuit": "♠", "flat": "♭",
    "natural": "♮", "sharp": "♯", "top": "⊤", "bot": "⊥", "degree": "°", "checkmark": "✓",
    "dagger": "†", "ddagger": "‡", "S": "§", "P": "¶", "copyright": "©", "pounds": "£",
    "euro": "€", "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "dotsc": "…", "dotsb": "⋯", "dotsm": "⋯", "dotsi": "⋯", "dotso": "…", "therefore": "∴",
    "because": "∵", "infin": "∞", "backslash": "⧵", "vert": "|", "Vert": "‖", "|": "‖",
    "%": "%", "$": "$", "#": "#", "&": "&", "_": "_", "textbackslash": "⧵",
    "textdollar": "$", "textpercent": "%", "textunderscore": "_", "lq": "‘", "rq": "’",
    "surd": "√", "mho": "℧", "eth": "ð", "Finv": "Ⅎ", "complement": "∁", "star": "⋆",
    "bigstar": "★", "lozenge": "◊", "circledS": "Ⓢ", "textdegree": "°",
    "bigcirc": "◯", "triangledown": "▽", "blacktriangle": "▲", "vartriangle": "△",
    "blacktriangledown": "▼", "sphericalangle": "∢", "Game": "⅁", "gimel": "ℷ",
    "daleth": "ℸ", "backprime": "‵", "circledR": "®", "yen": "¥", "maltese": "✠",
    "lightning": "↯", "dag": "†", "ddag": "‡", "textbullet": "•", "textasciitilde": "~",
    "textperiodcentered": "·",
    # KaTeX's names for the number sets (and what vaults define as macros for them)
    "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "R": "ℝ", "C": "ℂ", "natnums": "ℕ", "reals": "ℝ",
    "Reals": "ℝ", "Complex": "ℂ", "cnums": "ℂ", "Bbbk": "𝕜",
}

BINARY: dict[str, str] = {
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "cap": "∩", "cup": "∪",
    "setminus": "∖", "smallsetminus": "∖", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨",
    "oplus": "⊕", "ominus": "⊖", "otimes": "⊗", "oslash": "⊘", "odot": "⊙", "circ": "∘",
    "bullet": "∙", "ast": "∗", "uplus": "⊎", "sqcap": "⊓", "sqcup": "⊔", "wr": "≀",
    "amalg": "⨿", "triangleleft": "◁", "triangleright": "▷", "bigtriangleup": "△",
    "bigtriangledown": "▽", "cdotp": "·", "centerdot": "·", "dotplus": "∔", "ltimes": "⋉",
    "rtimes": "⋊", "intercal": "⊺", "boxplus": "⊞", "boxminus": "⊟", "boxtimes": "⊠",
    "divideontimes": "⋇", "bmod": "mod", "mod": "mod", "barwedge": "⊼", "veebar": "⊻",
    "circledast": "⊛", "boxdot": "⊡", "lhd": "⊲", "rhd": "⊳", "unlhd": "⊴", "unrhd": "⊵",
    "Cap": "⋒", "Cup": "⋓", "curlyvee": "⋎", "curlywedge": "⋏", "doublebarwedge": "⩞",
    "leftthreetimes": "⋋", "rightthreetimes": "⋌", "circledcirc": "⊚", "circleddash": "⊝",
    "plusmn": "±",
}

RELATION: dict[str, str] = {
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "leqslant": "⩽", "geqslant": "⩾",
    "ne": "≠", "neq": "≠", "approx": "≈", "equiv": "≡", "sim": "∼", "simeq": "≃",
    "cong": "≅", "propto": "∝", "ll": "≪", "gg": "≫", "lll": "⋘", "ggg": "⋙", "in": "∈",
    "notin": "∉", "ni": "∋", "owns": "∋", "subset": "⊂", "supset": "⊃", "subseteq": "⊆",
    "supseteq": "⊇", "subsetneq": "⊊", "supsetneq": "⊋", "nsubseteq": "⊈", "nsupseteq": "⊉",
    "sqsubset": "⊏", "sqsupset": "⊐", "sqsubseteq": "⊑", "sqsupseteq": "⊒", "mid": "∣",
    "nmid": "∤", "parallel": "∥", "nparallel": "∦", "perp": "⊥", "vdash": "⊢", "dashv": "⊣",
    "models": "⊨", "vDash": "⊨", "Vdash": "⊩", "asymp": "≍", "doteq": "≐", "prec": "≺",
    "succ": "≻", "preceq": "⪯", "succeq": "⪰", "lesssim": "≲", "gtrsim": "≳", "coloneqq": "≔",
    "coloneq": "≔", "eqqcolon": "≕", "triangleq": "≜", "stackrel": "", "nless": "≮",
    "ngtr": "≯", "nleq": "≰", "ngeq": "≱", "nsim": "≁", "ncong": "≇", "approxeq": "≊",
    "thicksim": "∼", "thickapprox": "≈", "lessgtr": "≶", "gtrless": "≷", "bowtie": "⋈",
    "smile": "⌣", "frown": "⌢", "to": "→", "gets": "←", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "Leftrightarrow": "⇔",
    "longrightarrow": "⟶", "longleftarrow": "⟵", "Longrightarrow": "⟹", "Longleftarrow": "⟸",
    "longleftrightarrow": "⟷", "Longleftrightarrow": "⟺", "iff": "⟺", "implies": "⟹",
    "impliedby": "⟸", "mapsto": "↦", "longmapsto": "⟼", "uparrow": "↑", "downarrow": "↓",
    "updownarrow": "↕", "Uparrow": "⇑", "Downarrow": "⇓", "Updownarrow": "⇕",
    "nearrow": "↗", "searrow": "↘", "swarrow": "↙", "nwarrow": "↖", "hookrightarrow": "↪",
    "hookleftarrow": "↩", "rightharpoonup": "⇀", "leftharpoonup": "↼",
    "rightleftharpoons": "⇌", "leftrightharpoons": "⇋", "rightrightarrows": "⇉",
    "leftleftarrows": "⇇", "twoheadrightarrow": "↠", "rightsquigarrow": "⇝",
    "leadsto": "⇝", "circlearrowleft": "↺", "circlearrowright": "↻", "nrightarrow": "↛",
    "nleftarrow": "↚", "nRightarrow": "⇏", "nLeftrightarrow": "⇎", "xrightarrow": "→",
    "xleftarrow": "←", "colon": ":", "lt": "<", "gt": ">", "nequiv": "≢", "divides": "∣",
    "leqq": "≦", "geqq": "≧", "lneq": "⪇", "gneq": "⪈", "lneqq": "≨", "gneqq": "≩",
    "precsim": "≾", "succsim": "≿", "nvdash": "⊬", "nVdash": "⊮", "nvDash": "⊭",
    "nVDash": "⊯", "between": "≬", "pitchfork": "⋔", "backsim": "∽", "eqsim": "≂",
    "risingdotseq": "≓", "fallingdotseq": "≒", "Join": "⋈", "rightleftarrows": "⇄",
    "leftrightarrows": "⇆", "upharpoonright": "↾", "upharpoonleft": "↿",
    "downharpoonright": "⇂", "downharpoonleft": "⇃", "restriction": "↾",
    "dashrightarrow": "⇢", "dashleftarrow": "⇠", "Lsh": "↰", "Rsh": "↱",
    "looparrowright": "↬", "looparrowleft": "↫", "multimap": "⊸", "Subset": "⋐",
    "Supset": "⋑", "lessapprox": "⪅", "gtrapprox": "⪆", "lesseqgtr": "⋚", "gtreqless": "⋛",
    "trianglelefteq": "⊴", "trianglerighteq": "⊵", "ntriangleleft": "⋪",
    "ntriangleright": "⋫", "vartriangleleft": "⊲", "vartriangleright": "⊳",
    "subsetneqq": "⫋", "supsetneqq": "⫌", "nsubset": "⊄", "nsupset": "⊅",
    "varsubsetneq": "⊊", "varsupsetneq": "⊋", "shortmid": "∣", "shortparallel": "∥",
    "nshortmid": "∤", "Vvdash": "⊪", "eqslantless": "⪕", "eqslantgtr": "⪖",
    "leftrightsquigarrow": "↭", "smallsmile": "⌣", "smallfrown": "⌢", "Colon": "∷",
    "xmapsto": "↦", "xLeftarrow": "⇐", "xRightarrow": "⇒", "xleftrightarrow": "↔",
    "xhookrightarrow": "↪", "xhookleftarrow": "↩", "xLeftrightarrow": "⇔",
    "xlongequal": "=", "xtwoheadrightarrow": "↠",
}

PUNCTUATION: dict[str, str] = {"comma": ",", "semicolon": ";"}

BIG_OPERATORS: dict[str, str] = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭",
    "oint": "∮", "oiint": "∯", "bigcup": "⋃", "bigcap": "⋂", "bigvee": "⋁", "bigwedge": "⋀",
    "bigoplus": "⨁", "bigotimes": "⨂", "bigodot": "⨀", "biguplus": "⨄", "bigsqcup": "⨆",
    "smallint": "∫", "iiiint": "⨌", "idotsint": "∫⋯∫",
}

FUNCTIONS: frozenset[str] = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth log ln lg exp max min "
    "sup inf lim liminf limsup det dim ker deg gcd lcm arg hom Pr argmax argmin".split()
)

OPENERS: dict[str, str] = {
    "{": "{", "lbrace": "{", "langle": "⟨", "lfloor": "⌊", "lceil": "⌈", "lvert": "|",
    "lVert": "‖", "lbrack": "[", "ulcorner": "⌜", "llcorner": "⌞", "lgroup": "⟮",
    "lmoustache": "⎰", "llbracket": "⟦", "lang": "⟨",
}
CLOSERS: dict[str, str] = {
    "}": "}", "rbrace": "}", "rangle": "⟩", "rfloor": "⌋", "rceil": "⌉", "rvert": "|",
    "rVert": "‖", "rbrack": "]", "urcorner": "⌝", "lrcorner": "⌟", "rgroup": "⟯",
    "rmoustache": "⎱", "rrbracket": "⟧", "rang": "⟩",
}
# Which closer matches which opener, for pairing plain brackets into growable fences.
BRACKET_PAIRS: dict[str, str] = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "⌊": "⌋", "⌈": "⌉"}

SPACES: dict[str, str] = {
    ",": " ", ":": " ", ">": " ", ";": " ", " ": " ", "thinspace": " ", "medspace": " ",
    "thickspace": " ", "enspace": " ", "quad": "  ", "qquad": "    ", "space": " ",
    "nobreakspace": " ", "!": "", "negthinspace": "", "negmedspace": "",
    "negthickspace": "", "hfill": " ", "hspace": "",
}

# Commands that only change size or style: they vanish (their argument, if any, stays).
IGNORED: frozenset[str] = frozenset(
    "displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits big Big bigg Bigg "
    "bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm biggm Biggm middle nonumber "
    "notag mathstrut strut hline cline allowbreak nolinebreak relax protect "
    "tiny small normalsize large Large LARGE huge Huge rm it bf sf tt cal scriptsize "
    "footnotesize".split()
)
# Commands whose (first) argument is dropped entirely: labels, colours, hidden boxes.
DROP_ARGUMENT: frozenset[str] = frozenset(
    "label color phantom hphantom vphantom hspace vspace mspace mkern mskip require".split())

# Commands whose argument is text-mode: shown as its words, whitespace trimmed.
TEXT_COMMANDS: frozenset[str] = frozenset(
    "text textrm textit textbf texttt textsf textnormal textup textsl mbox hbox emph "
    "textmd intertext fbox framebox".split()
)
# Commands that restyle a math argument: the argument is shown in plain letters.
STYLE_COMMANDS: frozenset[str] = frozenset(
    "mathrm mathit mathbf mathsf mathtt mathnormal boldsymbol bm pmb mathcal mathscr "
    "mathfrak mathbb Bbb bold mathring rlap llap clap "
    "mathrlap mathllap mathclap".split()
)
# Commands with two arguments drawn as a fraction.
FRACTIONS: frozenset[str] = frozenset("frac dfrac tfrac cfrac".split())
BINOMIALS: frozenset[str] = frozenset("binom dbinom tbinom choose".split())

DOUBLE_STRUCK: dict[str, str] = {
    **{chr(ord("A") + k): chr(0x1D538 + k) for k in range(26)},  # 𝔸 … (𝔽 for a field)
    **{chr(ord("a") + k): chr(0x1D552 + k) for k in range(26)},
    **{str(d): chr(0x1D7D8 + d) for d in range(10)},  # 𝟘 … 𝟙 for an indicator
    # the letters Unicode encodes elsewhere (its block leaves their slots empty)
    "C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ",
}
# Commands that set their argument's class (`\\mathrel{+}=` is the relation `+=`).
MATH_CLASSES: dict[str, str] = {
    "mathrel": REL, "mathbin": BIN, "mathord": ORD, "mathpunct": PUNCT, "mathopen": OPEN,
    "mathclose": CLOSE, "mathinner": ORD,
}

# Accents: a combining mark over a single character; otherwise `name(body)`.
ACCENTS: dict[str, str] = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "overrightarrow": "\u20d7",
    "dot": "\u0307", "ddot": "\u0308", "dddot": "\u20db", "acute": "\u0301", "grave": "\u0300",
    "breve": "\u0306", "check": "\u030c", "underbar": "\u0332", "utilde": "\u0330",
    "overleftarrow": "\u20d6", "overleftrightarrow": "\u20e1", "widecheck": "\u030c",
    "underline": "\u0332", "overbar": "\u0305", "widebar": "\u0305", "wideparen": "\u0311",
    "overgroup": "\u0311", "underrightarrow": "\u20ef", "underleftarrow": "\u20ee",
    # crossed out: a term cancelled in a derivation must not read as if it stood
    "cancel": "\u0336", "bcancel": "\u0336", "xcancel": "\u0336", "sout": "\u0336",
    "slashed": "\u0338",
}
# Accents drawn as a line: over a longer body the mark runs on across its spaces too.
LINE_ACCENTS: frozenset[str] = frozenset(
    "bar overline underbar underline overbar widebar cancel bcancel xcancel sout".split())
# What is drawn over (or, for the `under…` ones, under) a body taller than one line.
ACCENT_RULES: dict[str, str] = {
    "vec": "→", "overrightarrow": "→", "overleftarrow": "←", "overleftrightarrow": "↔",
    "underrightarrow": "→", "underleftarrow": "←", "hat": "^", "widehat": "^",
    "check": "ˇ", "widecheck": "ˇ", "tilde": "~", "widetilde": "~", "utilde": "~",
    "dot": "·", "ddot": "··", "dddot": "···", "acute": "´", "grave": "`", "breve": "˘",
    "wideparen": "⏜", "overgroup": "⏜", "cancel": "╱", "bcancel": "╲", "xcancel": "╳",
    "sout": "─",
}

SUPERSCRIPTS: dict[str, str] = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′",
    )
)
SUPERSCRIPTS.update({"⊤": "ᵀ", "⊺": "ᵀ"})  # a transpose however written: W^\top, W^\intercal
SUBSCRIPTS: dict[str, str] = dict(
    zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
)

# Plain characters in math mode and their kinds (anything else is ORD).
CHAR_KINDS: dict[str, str] = {
    "+": BIN, "-": BIN, "*": BIN, "=": REL, "<": REL, ">": REL, ":": REL, ",": PUNCT,
    ";": PUNCT, "(": OPEN, "[": OPEN, ")": CLOSE, "]": CLOSE,
}
CHAR_TEXT: dict[str, str] = {"-": "−", "'": "′", "~": " "}

# Environments laid out as a grid of cells, with the delimiters drawn around them.
ENVIRONMENT_DELIMITERS: dict[str, tuple[str, str]] = {
    "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "cases": ("{", ""), "dcases": ("{", ""),
    "rcases": ("", "}"), "smallmatrix": ("", ""), "matrix": ("", ""), "array": ("", ""),
}
# Environments whose `&` marks an alignment point (a = b): cells join with one space.
ALIGNED_ENVIRONMENTS: frozenset[str] = frozenset(
    "aligned align align* alignat alignat* split gathered gather gather* equation equation* "
    "eqnarray eqnarray* multline multline* flalign flalign* alignedat".split()
)


def known_commands() -> frozenset[str]:
    """Every command name the renderer understands (used by tests to prove none leaks raw)."""
    names: set[str] = set()
    for table in (GREEK, ORDINARY, BINARY, RELATION, PUNCTUATION, BIG_OPERATORS, OPENERS,
                  CLOSERS, SPACES, ACCENTS):
        names.update(table)
    names.update(FUNCTIONS | IGNORED | DROP_ARGUMENT | TEXT_COMMANDS | STYLE_COMMANDS
                 | FRACTIONS | BINOMIALS)
    names.update({"sqrt", "left", "right", "operatorname", "not", "pmod", "overset",
                  "underset", "stackrel", "overbrace", "underbrace", "textcolor", "tag",
                  "\\", "cr", "newline", "begin", "end", "mathop", "over", "rule",
                  "colorbox", "fcolorbox", "substack", "textcircled", "centernot", "boxed",
                  "ce", "pu",  # mhchem (mathtext.chem)
                  *MATH_CLASSES})
    return frozenset(n for n in names if n.isalpha())
