"""Write docs/kernels.md from the kernel table (snake.kernels()).

    python tools/gen_docs.py          # rewrite docs/kernels.md
    python tools/gen_docs.py --check  # exit 1 if it is out of date (tests use this)
"""
from __future__ import annotations

import sys
from pathlib import Path

import snake

OUT = Path(__file__).resolve().parent.parent / "docs" / "kernels.md"


def render() -> str:
    lines = [
        "# snake kernels",
        "",
        "Generated from the kernel table (`Sources/SnakeABI/include/kernels.def`) by",
        "`python tools/gen_docs.py`; do not edit by hand.",
        "",
        "| ufunc | kind | signature | loops | threads |",
        "|---|---|---|---|---|",
    ]
    for k in snake.kernels():
        u = k.ufunc
        sig = u.signature or f"elementwise, {u.nin} in / {u.nout} out"
        if k.function is not u:
            sig = f"function over gufunc {sig}"
        threads = f"pool, >= {k.mt_grain} elements per thread (float64; 2x for 4-byte types; uint8: 8x elementwise, 2x otherwise)" if k.mt_grain else "single"
        lines.append(f"| `{k.name}` | {k.kind} | `{sig}` | {', '.join(k.types)} | {threads} |")
    for k in snake.kernels():
        # NumPy prepends a call-signature line whose wording varies across
        # NumPy versions; the table's docstring is what follows it.
        head, body = k.function.__doc__.split("\n\n", 1)
        call = f"\n\nCall: `{head}`" if k.function is not k.ufunc else ""
        lines += ["", f"## `{k.name}`{call}", "", "```text", body.strip(), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run python tools/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
