"""Runtime SIMD dispatch: the tier chosen at import, SNAKE_SIMD, show_config.

The whole suite runs once per tier this machine supports (ci/test.sh sets
SNAKE_SIMD); these tests check the choosing itself, and that every tier
gives the same answers on one input set, so a default run (one tier)
still sees all of them.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import snake
from snake import _snake

HERE = Path(__file__).resolve().parent


def run_python(code: str, simd: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SNAKE_SIMD", None)
    if simd is not None:
        env["SNAKE_SIMD"] = simd
    return subprocess.run([sys.executable, "-c", code], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=120)


def test_tier_is_the_best_unless_forced():
    assert _snake.simd_tier in _snake.simd_supported
    assert set(_snake.simd_supported) <= set(_snake.simd_tiers)
    assert _snake.simd_tiers[0] == "baseline"
    forced = os.environ.get("SNAKE_SIMD", "")
    assert _snake.simd_tier == (forced or _snake.simd_supported[-1])


def test_features_match_the_supported_tiers():
    features = set(_snake.cpu_features)
    if "avx512" in _snake.simd_supported:
        assert {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= features
    if "avx2" in _snake.simd_supported:
        assert {"avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "lzcnt"} <= features


@pytest.mark.parametrize("tier", ["baseline", "avx2", "avx512"])
def test_forcing_a_tier(tier):
    got = run_python("import snake; print(snake.build_info()['simd'])", tier)
    if tier in _snake.simd_supported:
        assert got.returncode == 0, got.stderr
        assert got.stdout.strip() == tier
    elif tier in _snake.simd_tiers:
        assert got.returncode != 0
        assert f"SNAKE_SIMD={tier}: this CPU supports tiers up to" in got.stderr
    else:
        assert got.returncode != 0
        assert "unknown tier" in got.stderr


def test_unknown_tier_is_an_import_error():
    got = run_python("import snake", "sse9")
    assert got.returncode != 0
    assert "ImportError: SNAKE_SIMD=sse9: unknown tier; this build has ('baseline'" in got.stderr


def test_empty_value_means_the_default():
    got = run_python("import snake; print(snake.build_info()['simd'])", "")
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == _snake.simd_supported[-1]


# Every kernel of the table, every dtype it has a loop for, a few lengths
# around the vector widths, inputs from the benchmark cases, in each supported
# tier: integer results must be identical across tiers (integer math is
# exact), float results close (FMA tiers round differently from the baseline).
TIER_SCRIPT = r"""
import json, numpy as np, snake
from snake._bench import CASES
rng = np.random.default_rng(7)
out = {}
for k in snake.kernels():
    if k.name.endswith("_mt"):
        continue
    for dt in map(np.dtype, ("float64", "float32", "int64", "int32", "uint8")):
        if not any(t[0] == dt.char for t in k.types):
            continue
        for n in (1, 7, 31, 64, 257, 1000):
            v = np.asarray(k.function(*CASES[k.name]["inputs"](n, dt, rng)))
            out[f"{k.name} {dt} {n}"] = [str(v.dtype), np.atleast_1d(v).astype(float).tolist()]
print(json.dumps(out))
"""


def test_every_tier_gives_the_same_answers():
    results = {}
    for tier in _snake.simd_supported:
        got = run_python(TIER_SCRIPT, tier)
        assert got.returncode == 0, got.stderr
        results[tier] = json.loads(got.stdout)
    base = results["baseline"]
    assert {key.split()[0] for key in base} == {k.name for k in snake.kernels() if not k.name.endswith("_mt")}
    for tier, res in results.items():
        assert res.keys() == base.keys()
        for key, (dtype, values) in res.items():
            want_dtype, want = base[key]
            assert dtype == want_dtype, (tier, key)
            if dtype.startswith("float"):
                rtol = 1e-4 if dtype == "float32" else 1e-12
                scale = max(np.max(np.abs(want)), 1.0) if want else 1.0
                np.testing.assert_allclose(values, want, rtol=rtol, atol=rtol * scale, err_msg=f"{tier} {key}")
            else:
                assert values == want, (tier, key)


def test_show_config_prints_and_returns_dicts(capsys):
    info = snake.show_config(mode="dicts")
    assert info["simd"]["tier"] == _snake.simd_tier
    assert info["simd"]["compiled"] == list(_snake.simd_tiers)
    assert info["snake"]["version"] == snake.__version__
    assert info["numpy"]["version"] == np.__version__
    assert info["threads"]["num_threads"] == snake.get_num_threads()
    assert "Swift" in info["build"]["compiler"]
    assert "baseline" in info["build"]["tier flags"]
    assert snake.show_config() is None
    printed = capsys.readouterr().out
    assert f"tier: {_snake.simd_tier}" in printed
    assert "cpu features:" in printed
    with pytest.raises(ValueError, match="mode must be"):
        snake.show_config(mode="json")
