"""Rows read from a saved array's file are the array's rows, however they are asked for."""

import numpy as np
import pytest

from qa.rowfile import RowFile


@pytest.fixture
def saved(tmp_path):
    array = np.random.default_rng(0).standard_normal((50, 8)).astype(np.float16)
    np.save(tmp_path / "rows.npy", array)
    return array, tmp_path / "rows.npy"


def test_rows_are_read_as_the_array_gives_them(saved):
    array, path = saved
    rows = RowFile(path)
    assert rows.shape == array.shape and len(rows) == 50 and rows.dtype == array.dtype
    assert np.array_equal(rows[7], array[7]) and np.array_equal(rows[-1], array[-1])
    for ids in ([3, 4, 5], [9, 2, 40], np.arange(10, 30), slice(5, 45, 3), []):
        assert np.array_equal(rows[ids], array[ids])
    assert np.array_equal(np.asarray(rows, dtype=np.float32), array.astype(np.float32))
    with pytest.raises(IndexError):
        rows[50]
    with pytest.raises(IndexError):
        rows[[1, 50]]


def test_rows_are_read_after_the_file_is_deleted(saved):
    array, path = saved
    rows = RowFile(path)
    path.unlink()  # a segment merged away while a reader still holds it
    assert np.array_equal(rows[[1, 2]], array[[1, 2]])


def test_a_file_cut_short_does_not_open(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="cut short"):
        RowFile(path)


def test_a_read_larger_than_one_read_returns_is_read_whole(saved, monkeypatch):
    import qa.rowfile

    array, path = saved
    monkeypatch.setattr(qa.rowfile, "READ_BYTES", 100)  # as a 2 GB read is cut by Linux
    assert np.array_equal(np.asarray(RowFile(path)), array)
