"""One-pass accumulators over Arrow batches: moments, sampled quantiles, capped value counts."""

# pyright: basic
# Arrow kernels over pyarrow, which ships no type information: strict would report every
# pyarrow call as Unknown. Callers see typed results; the typed edge is this module's API.

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hf_ecosystem.data.arrays import as_numpy
from hf_ecosystem.data.types import Distribution

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
RESERVOIR_SIZE = 65_536
HISTOGRAM_SPAN = 1 << 16
DISTINCT_CAP = 10_000


class NumberAccumulator:
    """Exact count, min, max, mean and sample std; quantiles exact or from a uniform sample.

    Moments merge batch by batch with Chan et al.'s parallel update in float64, so they are exact
    up to rounding. Integers that span under HISTOGRAM_SPAN values (lengths, scores, class ids)
    keep an exact histogram, so their quantiles are exact. Other numbers go to a reservoir sample
    (Vitter's algorithm R, seeded): exact while the count fits the reservoir, else a uniform
    sample of RESERVOIR_SIZE values whose rank error is about 1/sqrt(RESERVOIR_SIZE) (~0.4%).
    """

    def __init__(self, *, capacity: int = RESERVOIR_SIZE, seed: int = 0) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min: Any = None
        self.max: Any = None
        self._sample = np.empty(capacity, dtype=np.float64)
        self._filled = 0
        self._rng = np.random.default_rng(seed)
        self._hist: np.ndarray | None = None  # counts of the values base, base+1, ...
        self._base = 0
        self._histogram = True  # until a float or a wide integer range arrives
        # The last batch given to `add` as (low, counts of low, low+1, ...) when it was counted
        # into the histogram: value counts of a narrow integer column come from it for free.
        self.batch_histogram: tuple[int, np.ndarray] | None = None

    def add(self, values: np.ndarray) -> None:
        """Add numbers (nulls and NaN already removed)."""
        self.batch_histogram = None
        n = int(values.size)
        if n == 0:
            return
        low, high = values.min().item(), values.max().item()
        if self._fits_histogram(values.dtype, low, high):
            if low >= 0 and high < HISTOGRAM_SPAN:  # lengths, scores, class ids: count as they are
                counts = np.bincount(values, minlength=high + 1)[low:]
            else:
                if values.itemsize < 8:  # int8 - int8 can wrap; 64-bit differences cannot
                    values = values.astype(np.int64)
                offsets = (values - low).astype(np.intp, copy=False)
                counts = np.bincount(offsets, minlength=high - low + 1)
            self._histogram_add(counts, low, high)
            self.batch_histogram = (low, counts)
            return
        if self._histogram:
            self._histogram_to_sample()
        as_float = values.astype(np.float64, copy=False)
        batch_mean = float(as_float.mean())
        self._merge(n, batch_mean, float(np.square(as_float - batch_mean).sum()), low, high)
        self._sample_add(as_float)
        self.count += n

    def add_counts(self, values: np.ndarray, counts: np.ndarray) -> None:
        """Add `counts[i]` times each integer `values[i]` (e.g. the lengths of dictionary entries
        and how often each entry occurs): no array of one value per row is built."""
        used = counts > 0
        values, counts = values[used], counts[used]
        if values.size == 0:
            return
        low, high = values.min().item(), values.max().item()
        if not self._fits_histogram(values.dtype, low, high):
            self.add(np.repeat(values, counts))
            return
        offsets = (values.astype(np.int64) - low).astype(np.intp, copy=False)
        weights = counts.astype(np.float64)  # exact below 2**53 rows
        merged = np.bincount(offsets, weights=weights, minlength=high - low + 1)
        self._histogram_add(merged.astype(np.int64), low, high)

    def _fits_histogram(self, dtype: np.dtype, low: Any, high: Any) -> bool:
        """Integers whose whole range so far, with this batch, spans under HISTOGRAM_SPAN."""
        if not self._histogram or dtype.kind not in "iu":
            return False
        lowest = low if self.min is None else min(self.min, low)
        highest = high if self.max is None else max(self.max, high)
        return highest - lowest < HISTOGRAM_SPAN

    def _merge(self, n: int, batch_mean: float, batch_m2: float, low: Any, high: Any) -> None:
        """Chan et al.'s update of count-weighted mean and M2 with one batch's (count not set)."""
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)
        total = self.count + n
        delta = batch_mean - self.mean
        self.mean += delta * n / total
        self.m2 += batch_m2 + delta * delta * self.count * n / total

    def _histogram_add(self, counts: np.ndarray, low: int, high: int) -> None:
        """Add a batch's histogram (`counts[k]` values equal to low + k)."""
        n = int(counts.sum())
        # Moments from the histogram: O(span), not O(rows). (No `@`: BLAS threads spin badly
        # on a busy machine, for a dot product this small.)
        offsets = np.arange(counts.size, dtype=np.float64)
        mean_offset = float((counts * offsets).sum()) / n
        m2 = float((counts * np.square(offsets - mean_offset)).sum())
        self._merge(n, low + mean_offset, m2, low, high)
        if self._hist is None:
            self._base, self._hist = low, np.zeros(high - low + 1, dtype=np.int64)
        top = self._base + self._hist.size - 1
        if low < self._base or high > top:
            base = min(low, self._base)
            grown = np.zeros(max(high, top) - base + 1, dtype=np.int64)
            grown[self._base - base : self._base - base + self._hist.size] = self._hist
            self._base, self._hist = base, grown
        start = low - self._base
        self._hist[start : start + counts.size] += counts
        self.count += n

    def _histogram_to_sample(self) -> None:
        """Leave histogram mode with the reservoir a stream of the same values would hold."""
        self._histogram = False
        if self._hist is None:
            return
        capacity = self._sample.size
        kept = self._hist
        if self.count > capacity:  # a uniform subset of the values seen, without replacement
            kept = self._rng.multivariate_hypergeometric(self._hist, capacity)
        values = np.repeat(np.arange(self._hist.size, dtype=np.float64) + self._base, kept)
        self._sample[: values.size] = values
        self._filled = values.size
        self._hist = None

    def _sample_add(self, values: np.ndarray) -> None:
        capacity = self._sample.size
        take = min(capacity - self._filled, values.size)
        if take:
            self._sample[self._filled : self._filled + take] = values[:take]
            self._filled += take
        rest = values[take:]
        if rest.size:
            # The stream's i-th value (1-based) replaces a random slot with chance capacity / i.
            # Drawn by thinning: candidates at the batch's top chance p = capacity / first (gaps
            # between them are geometric), each then kept with chance first / i, so that
            # p * first / i = capacity / i: one random number per candidate, not per value.
            first = self.count + take + 1
            picks = self._trials(rest.size, capacity / first)
            kept = picks[self._rng.random(picks.size) * (first + picks) < first]
            self._sample[self._rng.integers(0, capacity, kept.size)] = rest[kept]

    def _trials(self, n: int, p: float) -> np.ndarray:
        """Positions of the successes among n Bernoulli(p) trials, in order."""
        if p >= 0.5:
            return np.flatnonzero(self._rng.random(n) < p)
        found: list[np.ndarray] = []
        at = -1
        while at < n:
            expected = (n - at) * p
            gaps = self._rng.geometric(p, int(expected + 5 * math.sqrt(expected) + 16))
            positions = at + np.cumsum(gaps)
            found.append(positions[positions < n])
            at = int(positions[-1])
        return np.concatenate(found)

    @property
    def exact_quantiles(self) -> bool:
        """True while quantiles come from every value seen."""
        return self._hist is not None or self.count <= self._sample.size

    def _histogram_quantiles(self, quantiles: tuple[float, ...]) -> list[float]:
        assert self._hist is not None
        cumulative = np.cumsum(self._hist)
        out = []
        for q in quantiles:
            # Linear interpolation between the order statistics around (n - 1) * q, as pandas.
            position = (self.count - 1) * q
            below, above = math.floor(position), math.ceil(position)
            low = int(np.searchsorted(cumulative, below, side="right")) + self._base
            high = int(np.searchsorted(cumulative, above, side="right")) + self._base
            out.append(low + (position - below) * (high - low))
        return out

    def result(self, quantiles: tuple[float, ...] = QUANTILES) -> Distribution:
        """The summary so far."""
        if self.count == 0:
            return Distribution(count=0)
        std = math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else None
        if self._hist is not None:
            qs = self._histogram_quantiles(quantiles)
        else:
            qs = list(np.quantile(self._sample[: self._filled], quantiles))  # linear, as pandas
        return Distribution(
            count=self.count,
            min=self.min,
            max=self.max,
            mean=self.mean,
            std=std,
            quantiles=tuple((q, float(v)) for q, v in zip(quantiles, qs, strict=True)),
            exact_quantiles=self.exact_quantiles,
        )


class ValueCounter:
    """Exact counts of up to `cap` distinct values; values first seen after the cap are dropped.

    Tracked values live in an Arrow array and their counts in a numpy array, so each batch is
    one hash probe per value in C++, and no value becomes a Python object until the result.
    """

    def __init__(self, cap: int = DISTINCT_CAP) -> None:
        self.cap = cap
        self.capped = False
        self._tracked: pa.Array | None = None
        self._counts = np.zeros(0, dtype=np.int64)
        self._range: dict[str, Any] | None = None  # min and max of the tracked values, once full

    def add(self, values: pa.Array) -> None:
        """Count the values of one batch; nulls are not counted."""
        nulls = values.null_count
        if len(values) == nulls:
            return
        tracked = self._tracked
        if tracked is not None and values.type != tracked.type:
            values = values.cast(tracked.type)  # e.g. string in one file, large_string in the next
        if tracked is not None and len(tracked) >= self.cap:
            if self._outside_tracked(values):
                self.capped = True  # all new values (ids, timestamps): none can be counted
                return
            # A null input finds no match (the tracked values hold no null): only the other
            # misses are values past the cap.
            where = pc.call_function("index_in", [values], pc.SetLookupOptions(tracked))
            self.capped = self.capped or where.null_count > nulls
            self._counts += np.bincount(as_numpy(where.drop_null()), minlength=len(tracked))
            return
        if pa.types.is_boolean(values.type):
            self._add_booleans(values, nulls)
            return
        counted = pc.call_function("value_counts", [values])
        keys, freqs = counted.field("values"), counted.field("counts")
        if nulls:
            present = pc.call_function("is_valid", [keys])
            keys, freqs = keys.filter(present), freqs.filter(present)
        self.add_counts(keys, freqs)

    def add_histogram(self, values: pa.Array, low: int, counts: np.ndarray) -> None:
        """Count a batch of integers from its histogram (`counts[k]` values equal to low + k)
        when all of them are tracked already, so that no order of first sight can change; else
        as `add` does."""
        tracked = self._tracked
        present = np.flatnonzero(counts)
        top = low + counts.size
        if (
            tracked is None
            or not pa.types.is_integer(tracked.type)
            or not -(2**63) <= low < top < 2**63
        ):
            self.add(values)
            return
        keys = pa.array(present.astype(np.int64) + low).cast(tracked.type)
        where = pc.call_function("index_in", [keys], pc.SetLookupOptions(tracked))
        if where.null_count:  # a value not seen before
            self.add(values)
            return
        self._counts[as_numpy(where)] += counts[present]

    def _add_booleans(self, values: pa.Array, nulls: int) -> None:
        """True and False counts from a bit count, not a hash per value; first seen first."""
        trues = pc.call_function("sum", [values]).as_py() or 0
        counts = {True: trues, False: len(values) - nulls - trues}
        first = {v: pc.index(values, pa.scalar(v, type=values.type)).as_py() for v in counts}
        order = sorted((v for v in counts if counts[v]), key=first.__getitem__)
        keys = pa.array(order, type=values.type)
        self.add_counts(keys, pa.array([counts[v] for v in order], type=pa.int64()))

    def _outside_tracked(self, values: pa.Array) -> bool:
        """True when a batch of integers lies wholly above or below the (full) tracked values:
        two comparisons instead of a hash probe per value, for sorted columns like row ids."""
        if not pa.types.is_integer(values.type) or self._tracked is None:
            return False
        if self._range is None:
            self._range = pc.call_function("min_max", [self._tracked]).as_py()
        tracked = self._range or {}
        batch = pc.call_function("min_max", [values]).as_py() or {}
        return batch["min"] > tracked["max"] or batch["max"] < tracked["min"]

    def add_dictionary(self, dictionary: pa.Array, counts: np.ndarray) -> None:
        """Add `counts[i]` occurrences of `dictionary[i]` (a null-free dictionary's index counts).

        Only the dictionary entries are hashed, not every row.
        """
        used = np.flatnonzero(counts)
        keys = dictionary.take(pa.array(used))
        freqs = counts[used]
        distinct = pc.call_function("count_distinct", [keys]).as_py()
        if distinct < len(keys):  # Arrow lets a dictionary repeat a value: merge its counts
            encoded = pc.call_function("dictionary_encode", [keys])
            keys = encoded.dictionary
            merged = np.bincount(as_numpy(encoded.indices), weights=freqs, minlength=len(keys))
            freqs = merged.astype(np.int64)
        self.add_counts(keys, pa.array(freqs, type=pa.int64()))

    def add_counts(self, keys: pa.Array, freqs: pa.Array) -> None:
        """Add `freqs[i]` occurrences of each of the distinct `keys`."""
        tracked = self._tracked if self._tracked is not None else keys.slice(0, 0)
        if keys.type != tracked.type:
            keys = keys.cast(tracked.type)
        where = pc.call_function("index_in", [keys], pc.SetLookupOptions(tracked))
        if where.null_count and len(tracked) < self.cap:
            fresh = keys.filter(pc.call_function("is_null", [where])).slice(
                0, self.cap - len(tracked)
            )
            tracked = pa.concat_arrays([tracked, fresh])
            self._counts = np.concatenate([self._counts, np.zeros(len(fresh), dtype=np.int64)])
            where = pc.call_function("index_in", [keys], pc.SetLookupOptions(tracked))
        self.capped = self.capped or where.null_count > 0
        self._tracked = tracked
        hit = pc.call_function("is_valid", [where])
        # Keys are distinct, so fancy-index += adds each count once.
        self._counts[as_numpy(where.drop_null())] += as_numpy(freqs.filter(hit))

    @property
    def distinct(self) -> int | None:
        """How many distinct values there are (None when the cap was hit)."""
        return None if self.capped else len(self._counts)

    def most_common(self, k: int | None = None) -> list[tuple[Any, int]]:
        """The k (default: all) most frequent values, most frequent (then first seen) first."""
        if self._tracked is None:
            return []
        order = np.argsort(-self._counts, kind="stable")[:k]
        values = self._tracked.to_pylist()
        return [(values[i], int(self._counts[i])) for i in order]

    def top(self, k: int) -> tuple[tuple[Any, int], ...]:
        """The k most frequent values, most frequent first."""
        return tuple(self.most_common(k))
