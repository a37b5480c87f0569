"""The pyarrow CSV reader of ``data.load`` reads a file as the pandas reader it stands in
front of does, or declines it (then pandas reads it and reports its problems as before)."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest

from data.load import _read_csv_arrow

TEXTS = [
    "a,b,c\n1,2,3\n4,,6\n",
    "a,b\n",
    "a,b",
    'a,b\n"x, y","line one\nline two"\n"say ""hi""",é中文\n',
    "a,b\r\n1,2\r\n3,4\r\n",
    "a,b\n1,2\n\n3,4\n\n",
    "a,b\n  1 , 2 \n",
    "a,b\n1,2,3\n",
    "a,b\n1\n",
    "a,a\n1,2\n",
    'a,b\nx"y,2\n',
    'a,b\n"x"y,2\n',
    "a,b\n   \n1,2\n",
    "a\n1\n\n2\n",
    "a,b\n,\n,\n",
    "a,b\n🚀,ü\n",
    '"a\nb",c\n1,2\n',
    '"a,\r\nb","c"\r\n1,2\r\n',
]


def _pandas(text: str) -> pd.DataFrame:
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, na_filter=False)


@pytest.mark.parametrize("text", TEXTS)
def test_arrow_reads_as_pandas_or_declines(text: str) -> None:
    got = _read_csv_arrow(text.encode("utf-8"), text)
    if got is None:
        return
    pd.testing.assert_frame_equal(got, _pandas(text))


def test_arrow_reads_the_usual_files() -> None:
    assert _read_csv_arrow(TEXTS[0].encode(), TEXTS[0]) is not None
    assert _read_csv_arrow(TEXTS[3].encode(), TEXTS[3]) is not None
    assert _read_csv_arrow(TEXTS[-2].encode(), TEXTS[-2]) is not None
