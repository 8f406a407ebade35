"""RLE counts packed for a job result: job results cap every list at 2,000 items and every string at
4,000 characters (jobs.caps), and a mask on a camera photo has tens of thousands of runs. Packed as
little-endian uint32 in base64 chunks under the string cap, a 40,000-run mask is 54 strings."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shelfscope.jobs.caps import MAX_RESULT_TEXT

# Characters per chunk: a multiple of 4 (whole base64 quanta), so chunks decode on their own.
_CHUNK_CHARS = MAX_RESULT_TEXT - MAX_RESULT_TEXT % 16
_CHUNK_BYTES = _CHUNK_CHARS // 4 * 3


def pack_counts(counts: Sequence[int] | npt.NDArray[np.int64]) -> list[str]:
    data = np.asarray(counts, dtype="<u4").tobytes()
    return [base64.b64encode(data[i : i + _CHUNK_BYTES]).decode() for i in range(0, len(data), _CHUNK_BYTES)]


def unpack_counts(chunks: list[str]) -> list[int]:
    data = b"".join(base64.b64decode(chunk, validate=True) for chunk in chunks)
    unpacked: list[int] = np.frombuffer(data, dtype="<u4").tolist()
    return unpacked
