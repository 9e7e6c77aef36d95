"""A realistic set of fake Hub repos shared by the remote-hub, CLI and auth tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakehub import FakeHub, FakeRepo

CARD = "---\nlicense: {license}\npipeline_tag: {task}\nlibrary_name: {library}\n---\n# {name}\n"

TASKS = ["text-classification", "token-classification", "summarization", "image-classification"]
LIBRARIES = ["transformers", "sentence-transformers", "timm"]
LICENSES = ["apache-2.0", "mit", "cc-by-nc-4.0"]
AUTHORS = ["acme", "beta-lab", "gamma"]


def populate(hub: FakeHub, n_models: int = 30, n_datasets: int = 8) -> list[FakeRepo]:
    """Add `n_models` models and `n_datasets` datasets with varied metadata; return them."""
    repos: list[FakeRepo] = []
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(n_models):
        task, library, lic = TASKS[i % 4], LIBRARIES[i % 3], LICENSES[i % 3]
        repo = FakeRepo(
            f"{AUTHORS[i % 3]}/model-{i:02d}{'-bert' if i % 5 == 0 else ''}",
            files={
                "README.md": CARD.format(license=lic, task=task, library=library, name=i).encode(),
                "config.json": b'{"model_type": "bert"}',
            },
            pipeline_tag=task,
            library_name=library,
            license=lic,
            languages=["en"] if i % 2 == 0 else ["fr", "de"],
            tags=["demo"] + (["tiny"] if i % 4 == 0 else []),
            downloads=(i * 7919) % 1000,
            likes=(i * 31) % 97,
            trending_score=float((i * 13) % 17),
            last_modified=base + timedelta(days=(i * 11) % 50),
            parameters={"F32": 1000 * (i + 1)},
        )
        repos.append(hub.add(repo))
    for i in range(n_datasets):
        repos.append(
            hub.add(
                FakeRepo(
                    f"{AUTHORS[i % 3]}/data-{i}",
                    kind="dataset",
                    files={
                        "README.md": b"---\nlicense: mit\n---\n# data\n",
                        "train.csv": b"a,b\n1,2\n",
                    },
                    tags=["task_categories:text-classification", "language:en"],
                    license="mit",
                    downloads=i * 10,
                    likes=i,
                )
            )
        )
    return repos
