"""The harness's guard: loopback connects work, anything else fails the test."""

from __future__ import annotations

import socket

import pytest


def test_loopback_is_allowed(fake_hub) -> None:  # type: ignore[no-untyped-def]
    host, port = fake_hub.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=2):
        pass


@pytest.mark.parametrize(
    "address", [("10.1.2.3", 80), ("93.184.216.34", 443), ("::ffff:1.1.1.1", 53)]
)
def test_other_addresses_are_refused(
    address: tuple[str, int], network_violations: list[str]
) -> None:
    sock = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET)
    with sock, pytest.raises(ConnectionRefusedError, match="network guard"):
        sock.connect(address)
    assert network_violations  # recorded, so a swallowed attempt still fails the test
    network_violations.clear()


def test_dns_lookups_are_refused(network_violations: list[str]) -> None:
    with pytest.raises(socket.gaierror, match="network guard"):
        socket.getaddrinfo("huggingface.co", 443)
    assert network_violations == ["DNS lookup of 'huggingface.co'"]
    network_violations.clear()


def test_real_hub_endpoint_is_never_called(network_violations: list[str]) -> None:
    from huggingface_hub import HfApi

    with pytest.raises(Exception):  # noqa: B017 - any failure is fine, reaching the Hub is not
        HfApi(endpoint="https://huggingface.co").model_info("gpt2", timeout=2)
    assert any("huggingface.co" in v for v in network_violations)
    network_violations.clear()
