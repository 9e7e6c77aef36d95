"""Hub screens: search models and datasets, a repo's page, trying a model."""
