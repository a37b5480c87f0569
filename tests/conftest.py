from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from data.load import load_dataset_files  # noqa: E402
from tests.fixtures import write_mini_dataset  # noqa: E402


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_mini_dataset(tmp_path / "mini")


@pytest.fixture
def mini(mini_dir: Path):
    return load_dataset_files(mini_dir)
