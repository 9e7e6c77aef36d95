"""Snippets of the hub screens: search, a model's page, its memory estimate."""

from __future__ import annotations

from hf_ecosystem.hub.types import Sort
from hf_ecosystem.snippets.render import assign, lines, literal
from hf_ecosystem.snippets.types import MemoryCode, ModelCode, SearchCode, Snippet

# The Hub's names for our sorts (NAME has none: the list is sorted by id afterwards).
HUB_SORT = {
    Sort.DOWNLOADS: "downloads",
    Sort.LIKES: "likes",
    Sort.TRENDING: "trending_score",
    Sort.UPDATED: "last_modified",
}
BYTES_PER_PARAMETER = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}


def _hub_filter_tags(request: SearchCode) -> list[str]:
    """The `filter=` tags the Hub API takes for these filters (as the remote backend sends)."""
    f, model = request.filters, request.kind == "model"
    tags: list[str] = []
    if f.task and not model:
        tags.append(f"task_categories:{f.task}")
    if f.library:
        tags.append(f.library if model else f"library:{f.library}")
    if f.language:
        tags.append(f.language if model else f"language:{f.language}")
    if f.license:
        tags.append(f"license:{f.license}")
    return tags + list(f.tags)


def search_snippet(request: SearchCode) -> Snippet:
    """Search models or datasets with the screen's text, filters and sort."""
    f, noun = request.filters, f"{request.kind}s"
    ecosystem = lines(
        f"from hf_ecosystem import search_{noun}",
        "",
        assign(
            "results",
            f"search_{noun}",
            f.query,
            task=f.task,
            library=f.library,
            language=f.language,
            license=f.license,
            author=f.author,
            tags=list(f.tags) or None,
            sort=request.sort.value,
            limit=request.limit,
        ),
        "for repo in results:",
        "    print(repo.id, repo.downloads, repo.likes)",
    )
    hub_sort = HUB_SORT.get(request.sort)
    found = assign(
        "results", f"HfApi().list_{noun}", search=f.query.strip() or None, author=f.author,
        pipeline_tag=f.task if request.kind == "model" else None,
        filter=_hub_filter_tags(request) or None, sort=hub_sort, limit=request.limit,
    )  # fmt: skip
    if hub_sort is None:
        found += "\nresults = sorted(results, key=lambda repo: repo.id.lower())"
    plain = lines(
        "from huggingface_hub import HfApi",
        "",
        found,
        "for repo in results:",
        "    print(repo.id, repo.downloads, repo.likes)",
    )
    return Snippet(f"Search {noun}", ecosystem, plain)


def model_snippet(request: ModelCode) -> Snippet:
    """Read a model's metadata and card, then load it."""
    repo = literal(request.repo_id)
    ecosystem = lines(
        "from hf_ecosystem import parse_model_card",
        "from hf_ecosystem.hub.selection import select_backend",
        "",
        "backend = select_backend().backend  # the Hub, or the local hub when offline",
        f"details = backend.model_info({repo})",
        "print(details.summary.task, details.summary.parameters, details.summary.license)",
        f"card = parse_model_card({repo})",
        "print(card.license, card.tags)",
        *_ecosystem_load(request),
    )
    plain = lines(
        "from huggingface_hub import HfApi, ModelCard",
        "from transformers import AutoModel, AutoTokenizer",
        "",
        f"info = HfApi().model_info({repo})",
        "print(info.pipeline_tag, info.downloads, [s.rfilename for s in info.siblings or []])",
        f"card = ModelCard.load({repo})",
        'print(card.data.get("license"), card.data.get("tags"))',
        f"tokenizer = AutoTokenizer.from_pretrained({repo})",
        f"model = AutoModel.from_pretrained({repo})",
        "print(model.num_parameters())",
    )
    return Snippet(f"Model {request.repo_id}", ecosystem, plain)


def _ecosystem_load(request: ModelCode) -> list[str]:
    if not request.task:
        return []
    return [
        "",
        "from hf_ecosystem import create_pipeline",
        "",
        assign("model", "create_pipeline", request.task, request.repo_id),
        "print(model)",
    ]


def memory_snippet(request: MemoryCode) -> Snippet:
    """Estimate a model's memory for inference or training at a dtype, batch and length."""
    train = None if request.mode == "inference" else request.mode
    ecosystem = lines(
        "from hf_ecosystem.device.memory import estimate_for_repo",
        "",
        assign(
            "estimate",
            "estimate_for_repo",
            request.repo_id,
            dtype=request.dtype,
            batch=request.batch,
            seq=request.seq,
            train=train,
        ),
        'print(f"weights {estimate.weights_bytes / 2**20:.1f} MiB")',
        'print(f"peak {estimate.peak_bytes / 2**20:.1f} MiB")',
        "for part, size in estimate.breakdown.items():",
        "    print(part, size)",
    )
    per_parameter = BYTES_PER_PARAMETER.get(request.dtype, 2)
    plain = lines(
        "from accelerate import init_empty_weights",
        "from transformers import AutoConfig, AutoModel",
        "",
        f"config = AutoConfig.from_pretrained({literal(request.repo_id)})",
        "with init_empty_weights():  # the shapes only: no memory, no download of weights",
        "    model = AutoModel.from_config(config)",
        "parameters = sum(p.numel() for p in model.parameters())",
        f"weights = parameters * {per_parameter!r}  # bytes per parameter in {request.dtype}"
        if request.dtype in BYTES_PER_PARAMETER
        else f"weights = parameters * {per_parameter!r}",
        *_plain_training_memory(request),
        'print(f"weights {weights / 2**20:.1f} MiB")',
        "# activations grow with batch and sequence length: measure them with",
        "# torch.cuda.max_memory_allocated() around one real forward (and backward) pass",
    )
    return Snippet(f"Memory of {request.repo_id}", ecosystem, plain)


def _plain_training_memory(request: MemoryCode) -> list[str]:
    if request.mode == "full":
        return [
            "gradients = weights",
            "adam_states = parameters * 8  # two fp32 moments per parameter",
            "training = weights + gradients + adam_states",
            'print(f"training, before activations {training / 2**20:.1f} MiB")',
        ]
    if request.mode == "lora":
        return ["# LoRA trains small adapters: the frozen weights dominate, plus activations"]
    return []
