"""Keep code readable in one sitting: no function above cyclomatic complexity 15 as radon
counts it (boolean operators included, unlike ruff's C901) and no module above 400 lines
in portal/, forms/ or workers/. Lists of messages or labels may be longer (LONG_LISTS)."""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "forms", "workers")
MAX_COMPLEXITY = 15
MAX_LINES = 400
LONG_LISTS = {"forms/messages.py"}  # GOV.UK messages, one per line


def _functions(blocks):
    """Functions and methods, nested ones included (a class's own figure is a sum)."""
    for block in blocks:
        if isinstance(block, Class):
            yield from _functions(block.methods + block.inner_classes)
            continue
        yield block
        yield from _functions(block.closures)


def main() -> int:
    problems: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            source = path.read_text()
            lines = source.count("\n")
            if lines > MAX_LINES and name not in LONG_LISTS:
                problems.append(f"{name}: {lines} lines (at most {MAX_LINES})")
            for block in _functions(cc_visit(source)):
                if block.complexity > MAX_COMPLEXITY:
                    problems.append(
                        f"{name}:{block.lineno} {block.fullname}: complexity "
                        f"{block.complexity} (at most {MAX_COMPLEXITY})"
                    )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} size or complexity problems")
        return 1
    print(
        f"Size and complexity: every module <= {MAX_LINES} lines, every function <= "
        f"{MAX_COMPLEXITY}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
