"""Arrow arrays as numpy: values, numbers (with their null count) and text lengths."""

# pyright: basic
# Arrow kernels over pyarrow, which ships no type information: strict would report every
# pyarrow call as Unknown. Callers see typed results; the typed edge is this module's API.

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_numpy(array: pa.Array) -> np.ndarray:
    """A null-free integer or float Arrow array as a numpy view (`to_numpy` imports pandas)."""
    kind = array.type
    if pa.types.is_floating(kind):
        dtype = np.dtype(f"f{kind.bit_width // 8}")
    elif pa.types.is_integer(kind):
        dtype = np.dtype(f"{'i' if pa.types.is_signed_integer(kind) else 'u'}{kind.bit_width // 8}")
    else:
        raise TypeError(f"not a number type: {kind}")
    data = array.buffers()[1]
    if data is None or len(array) == 0:
        return np.empty(0, dtype=dtype)
    return np.frombuffer(data, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


def text_lengths(array: pa.Array) -> np.ndarray:
    """Character lengths of the non-null strings of a string array, as numpy."""
    # Byte lengths come from the offsets for free; they are the character lengths when the
    # text is ASCII, which one scan of the bytes tells (~8x cheaper than counting characters).
    if pa.types.is_string_view(array.type):  # the length kernels take no views
        array = array.cast(pa.large_string())
    kind = "binary_length" if _is_ascii(array) else "utf8_length"
    lengths = pc.call_function(kind, [array])
    return as_numpy(lengths.drop_null() if lengths.null_count else lengths)


def _is_ascii(array: pa.Array) -> bool:
    """True when the bytes behind a string or large_string array are all ASCII."""
    if pa.types.is_string(array.type):
        width = 4
    elif pa.types.is_large_string(array.type):
        width = 8
    else:
        return False
    offsets_buffer, data = array.buffers()[1], array.buffers()[2]
    if len(array) == 0 or offsets_buffer is None or data is None:
        return True
    offsets = np.frombuffer(
        offsets_buffer, dtype=np.dtype(f"i{width}"), count=len(array) + 1,
        offset=array.offset * width,
    )  # fmt: skip
    start, end = int(offsets[0]), int(offsets[-1])
    if end == start:
        return True
    return int(np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start).max()) < 128


def numbers_of(array: pa.Array) -> tuple[np.ndarray, int]:
    """Non-null, non-NaN numbers of an Arrow numeric array as numpy, and how many NaN there were."""
    valid = array.drop_null()
    if pa.types.is_decimal(valid.type):
        valid = pc.cast(valid, pa.float64())
    values = as_numpy(valid)
    if values.dtype.kind == "f":
        is_nan = np.isnan(values)
        nan = int(is_nan.sum())
        return (values[~is_nan] if nan else values), nan
    return values, 0
