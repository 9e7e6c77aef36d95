"""Datasets: resolve, preview, stream, inspect, load and preprocess (heavy libraries load lazily).

Modules: `sources` (what a DATASET_OR_PATH is), `preview` (first rows with pyarrow),
`stats` (one streaming pass of statistics), `load` (the `datasets` library), `preprocess`
(normalisation, tokenisation), `splits` (stratified splits, class weights, augmentation).
"""
