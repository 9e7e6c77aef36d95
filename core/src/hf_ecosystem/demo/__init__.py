"""The offline demo hub: real small assets from PyPI packages plus tiny random test models."""
