"""The read-ahead thread behind the statistics pass: order, errors and early stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.prefetch import prefetch


def test_items_arrive_in_order_from_another_thread() -> None:
    threads: set[str] = set()

    def numbers() -> Iterator[int]:
        for i in range(50):
            threads.add(threading.current_thread().name)
            yield i

    assert list(prefetch(numbers(), depth=3)) == list(range(50))
    assert threads == {"hf-data-prefetch"}


def test_producer_errors_reach_the_consumer_after_the_good_items() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise DataError("bad row", row=2)

    seen: list[int] = []
    with pytest.raises(DataError, match="bad row"):
        for item in prefetch(failing()):
            seen.append(item)
    assert seen == [1]


def test_closing_early_stops_the_producer_and_closes_its_source() -> None:
    produced: list[int] = []
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            i = 0
            while True:
                produced.append(i)
                yield i
                i += 1
        finally:
            closed.set()

    stream = prefetch(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert closed.wait(5)
    assert len(produced) <= 5  # it ran at most `depth` (+ the one in hand) ahead
