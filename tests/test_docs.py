"""docs/kernels.md is generated from the kernel table and must be current.
(Docstring examples are run in test_api.py.)"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_readme_examples_run():
    import doctest
    import re

    import numpy as np

    import snake

    text = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    assert blocks, "README has no runnable example"
    for i, block in enumerate(blocks):
        test = doctest.DocTestParser().get_doctest(block, {"np": np, "snake": snake}, f"README[{i}]", None, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        result = runner.summarize(verbose=False)
        assert result.attempted > 0 and result.failed == 0, f"README example {i} failed"
