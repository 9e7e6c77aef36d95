"""A model's shape read from its config.json, and its parameter count, without torch."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from hf_ecosystem.errors import HfEcoError

Family = Literal["gpt2", "llama", "bert", "distilbert", "t5", "falcon", "gpt_neox", "generic"]
Norm = Literal["layernorm", "rmsnorm"]

_LLAMA_TYPES = {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "granite", "olmo2"}
_BERT_TYPES = {"bert", "roberta", "xlm-roberta", "camembert"}
_T5_TYPES = {"t5", "mt5"}
# Families whose config class ties the LM head to the input embeddings unless told otherwise.
_TIED_BY_DEFAULT = {"gpt2", "bert", "distilbert", "t5", "falcon", "gemma", "gemma2"}
# One projection makes queries, keys and values in these; peft's LoRA adapts that projection.
_FUSED_QKV = {"gpt2", "falcon", "gpt_neox"}


class ModelConfigError(HfEcoError):
    """A config.json is missing, unreadable or lacks the sizes a memory estimate needs."""

    default_title = "Cannot read the model's config.json"
    default_hint = "The folder or repo needs a transformers config.json next to its weights."


@dataclass(frozen=True, slots=True)
class ModelShape:
    """The sizes of a transformer that decide its memory: plain numbers read from config.json."""

    model_type: str
    family: Family
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    max_positions: int | None = None
    tie_word_embeddings: bool = False
    is_decoder: bool = True
    is_encoder_decoder: bool = False
    num_decoder_layers: int = 0
    activation: str = "gelu"
    norm: Norm = "layernorm"
    gated_mlp: bool = False
    rope: bool = False
    dropout: float = 0.0
    notes: tuple[str, ...] = ()
    raw: Mapping[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def kv_dim(self) -> int:
        """Width of the keys (and of the values) per token: kv heads x head dim."""
        return self.num_kv_heads * self.head_dim

    @property
    def q_dim(self) -> int:
        """Width of the queries per token: heads x head dim."""
        return self.num_heads * self.head_dim

    @property
    def fused_qkv(self) -> bool:
        """True when one projection makes queries, keys and values (GPT-2, Falcon, GPT-NeoX)."""
        return self.family in _FUSED_QKV

    @property
    def total_layers(self) -> int:
        """Encoder plus decoder layers."""
        return self.num_layers + self.num_decoder_layers

    def parameter_count(self) -> int:
        """Parameters of the model as AutoModel(ForCausalLM) builds it, each tied tensor once."""
        return _COUNTERS[self.family](self)

    def embedding_parameters(self) -> int:
        """Parameters that only feed embedding lookups (never a matmul): input, position, type."""
        cfg = self.raw or {}
        h = self.hidden_size
        tokens = 0 if self.tie_word_embeddings else self.vocab_size * h
        if self.family in ("gpt2", "bert", "distilbert"):
            tokens += (self.max_positions or 0) * h
        if self.family == "bert":
            tokens += int(cfg.get("type_vocab_size", 2)) * h
        return tokens

    def lora_parameters(self, r: int = 16) -> int:
        """LoRA adapter parameters with peft's default targets (query and value projections)."""
        h = self.hidden_size
        if self.fused_qkv:  # peft adapts the whole fused projection (c_attn, query_key_value)
            per_layer = r * (h + self.q_dim + 2 * self.kv_dim)
        else:
            per_layer = r * (h + self.q_dim) + r * (h + self.kv_dim)
        # T5 adapts q and v in the decoder's cross-attention too.
        cross = self.num_decoder_layers * (r * (h + self.q_dim) + r * (h + self.kv_dim))
        return per_layer * self.total_layers + cross


def _int(cfg: Mapping[str, Any], *keys: str, default: int | None = None) -> int:
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    if default is not None:
        return default
    raise ModelConfigError(
        f"config.json has no {' / '.join(keys)}",
        "A memory estimate needs the model's sizes; is this a transformers config?",
    )


def _layers(cfg: Mapping[str, Any], default: int | None = None) -> int:
    return _int(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers", default=default)


def shape_from_config(config: Mapping[str, Any]) -> ModelShape | None:
    """Read a config.json mapping into a ModelShape; None when the architecture is unknown."""
    notes: list[str] = []
    cfg = config
    text = config.get("text_config")
    if isinstance(text, Mapping):
        notes.append("multimodal model: only the text model's shape is read (vision/audio towers")
        notes[-1] += " count in the parameters only when the weights are known)"
        cfg = {"model_type": "llama", **cast("Mapping[str, Any]", text)}
    model_type = str(cfg.get("model_type", "")).lower()
    family = _family(model_type, cfg)
    if family is None:
        return None
    shape = _PARSERS[family](cfg, model_type)
    if family == "generic":
        notes.append(f"unknown architecture {model_type or '?'}: sized as a llama-shaped decoder")
    tied = cfg.get("tie_word_embeddings")
    tie = bool(tied) if isinstance(tied, bool) else family in _TIED_BY_DEFAULT
    return replace(shape, tie_word_embeddings=tie, notes=tuple(notes), raw=dict(cfg))


def _family(model_type: str, cfg: Mapping[str, Any]) -> Family | None:
    if model_type in _LLAMA_TYPES:
        return "llama"
    if model_type in _BERT_TYPES:
        return "bert"
    if model_type in _T5_TYPES:
        return "t5"
    if model_type in ("gpt2", "distilbert", "falcon", "gpt_neox"):
        return model_type  # type: ignore[return-value]
    generic = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
    if all(isinstance(cfg.get(k), int) for k in (*generic, "intermediate_size")):
        return "generic"
    return None


def _gpt2(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    h = _int(cfg, "n_embd", "hidden_size", default=768)
    heads = _int(cfg, "n_head", "num_attention_heads", default=12)
    inner = cfg.get("n_inner")
    return ModelShape(
        model_type=model_type, family="gpt2", hidden_size=h, num_layers=_layers(cfg, 12),
        num_heads=heads, num_kv_heads=heads, head_dim=h // heads,
        intermediate_size=inner if isinstance(inner, int) else 4 * h,
        vocab_size=_int(cfg, "vocab_size", default=50257),
        max_positions=_int(cfg, "n_positions", "max_position_embeddings", default=1024),
        activation=str(cfg.get("activation_function", "gelu_new")),
        dropout=float(cfg.get("resid_pdrop", 0.1) or 0.0),
    )  # fmt: skip


def _llama(cfg: Mapping[str, Any], model_type: str, family: Family = "llama") -> ModelShape:
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    head_dim = cfg.get("head_dim")
    act = str(cfg.get("hidden_act", cfg.get("hidden_activation", "silu")))
    return ModelShape(
        model_type=model_type, family=family, hidden_size=h, num_layers=_layers(cfg),
        num_heads=heads, num_kv_heads=_int(cfg, "num_key_value_heads", default=heads),
        head_dim=head_dim if isinstance(head_dim, int) else h // heads,
        intermediate_size=_int(cfg, "intermediate_size"), vocab_size=_int(cfg, "vocab_size"),
        max_positions=_int(cfg, "max_position_embeddings", default=0) or None,
        activation=act, norm="rmsnorm", gated_mlp=True, rope=True,
    )  # fmt: skip


def _generic(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    return _llama(cfg, model_type, "generic")


def _bert(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    h = _int(cfg, "hidden_size", default=768)
    heads = _int(cfg, "num_attention_heads", default=12)
    return ModelShape(
        model_type=model_type, family="bert", hidden_size=h, num_layers=_layers(cfg, 12),
        num_heads=heads, num_kv_heads=heads, head_dim=h // heads,
        intermediate_size=_int(cfg, "intermediate_size", default=3072),
        vocab_size=_int(cfg, "vocab_size", default=30522),
        max_positions=_int(cfg, "max_position_embeddings", default=512), is_decoder=False,
        activation=str(cfg.get("hidden_act", "gelu")),
        dropout=float(cfg.get("hidden_dropout_prob", 0.1) or 0.0),
    )  # fmt: skip


def _distilbert(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    h = _int(cfg, "dim", "hidden_size", default=768)
    heads = _int(cfg, "n_heads", "num_attention_heads", default=12)
    return ModelShape(
        model_type=model_type, family="distilbert", hidden_size=h, num_layers=_layers(cfg, 6),
        num_heads=heads, num_kv_heads=heads, head_dim=h // heads,
        intermediate_size=_int(cfg, "hidden_dim", "intermediate_size", default=3072),
        vocab_size=_int(cfg, "vocab_size", default=30522), is_decoder=False,
        max_positions=_int(cfg, "max_position_embeddings", default=512),
        activation=str(cfg.get("activation", "gelu")), dropout=float(cfg.get("dropout", 0.1) or 0),
    )  # fmt: skip


def _t5(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    layers = _int(cfg, "num_layers", default=6)
    heads = _int(cfg, "num_heads", default=8)
    proj = str(cfg.get("feed_forward_proj", "relu"))
    return ModelShape(
        model_type=model_type, family="t5", hidden_size=_int(cfg, "d_model", default=512),
        num_layers=layers, num_heads=heads, num_kv_heads=heads,
        head_dim=_int(cfg, "d_kv", default=64), intermediate_size=_int(cfg, "d_ff", default=2048),
        vocab_size=_int(cfg, "vocab_size", default=32128), is_decoder=False,
        is_encoder_decoder=True,
        num_decoder_layers=_int(cfg, "num_decoder_layers", default=layers),
        activation=proj.removeprefix("gated-"), gated_mlp=proj.startswith("gated-"),
        norm="rmsnorm", dropout=float(cfg.get("dropout_rate", 0.1) or 0.0),
    )  # fmt: skip


def _falcon(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    h = _int(cfg, "hidden_size", "n_embed", default=4544)
    heads = _int(cfg, "num_attention_heads", "n_head", default=71)
    if cfg.get("new_decoder_architecture"):
        kv = _int(cfg, "num_kv_heads", default=heads)
    else:
        kv = 1 if cfg.get("multi_query", True) else heads
    return ModelShape(
        model_type=model_type, family="falcon", hidden_size=h, num_layers=_layers(cfg, 32),
        num_heads=heads, num_kv_heads=kv, head_dim=h // heads,
        intermediate_size=_int(cfg, "ffn_hidden_size", default=4 * h),
        vocab_size=_int(cfg, "vocab_size", default=65024),
        max_positions=_int(cfg, "max_position_embeddings", default=2048),
        rope=not cfg.get("alibi", False), dropout=float(cfg.get("hidden_dropout", 0.0) or 0.0),
    )  # fmt: skip


def _gpt_neox(cfg: Mapping[str, Any], model_type: str) -> ModelShape:
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    return ModelShape(
        model_type=model_type, family="gpt_neox", hidden_size=h, num_layers=_layers(cfg),
        num_heads=heads, num_kv_heads=heads, head_dim=h // heads,
        intermediate_size=_int(cfg, "intermediate_size"), vocab_size=_int(cfg, "vocab_size"),
        max_positions=_int(cfg, "max_position_embeddings", default=2048),
        activation=str(cfg.get("hidden_act", "gelu")), rope=True,
        dropout=float(cfg.get("hidden_dropout", 0.0) or 0.0),
    )  # fmt: skip


_PARSERS = {
    "gpt2": _gpt2, "llama": _llama, "generic": _generic, "bert": _bert,
    "distilbert": _distilbert, "t5": _t5, "falcon": _falcon, "gpt_neox": _gpt_neox,
}  # fmt: skip


# --- parameter counts, one per family, matching transformers' modules exactly ------------------


def _lm_head(s: ModelShape) -> int:
    return 0 if s.tie_word_embeddings else s.vocab_size * s.hidden_size


def _count_gpt2(s: ModelShape) -> int:
    h, i = s.hidden_size, s.intermediate_size
    layer = 2 * 2 * h + (h * 3 * h + 3 * h) + (h * h + h) + (h * i + i) + (i * h + h)
    embeddings = s.vocab_size * h + (s.max_positions or 0) * h
    return embeddings + s.num_layers * layer + 2 * h + _lm_head(s)


def _count_llama(s: ModelShape) -> int:
    cfg = s.raw or {}
    h, i, q, kv = s.hidden_size, s.intermediate_size, s.q_dim, s.kv_dim
    attn = h * q + 2 * h * kv + q * h
    if s.model_type == "qwen2":
        attn += q + 2 * kv  # Qwen2 always has q/k/v biases and no o bias
    elif cfg.get("attention_bias"):
        attn += q + 2 * kv + h
    mlp = 3 * h * i + (2 * i + h if cfg.get("mlp_bias") else 0)
    norms = (4 if s.model_type in ("gemma2",) else 2) * h
    if s.model_type in ("qwen3", "olmo2"):
        norms += 2 * s.head_dim if s.model_type == "qwen3" else q + kv  # q_norm / k_norm
    return s.vocab_size * h + s.num_layers * (attn + mlp + norms) + h + _lm_head(s)


def _count_bert(s: ModelShape) -> int:
    cfg = s.raw or {}
    h, i = s.hidden_size, s.intermediate_size
    types = int(cfg.get("type_vocab_size", 2))
    embeddings = (s.vocab_size + (s.max_positions or 0) + types) * h + 2 * h
    layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h
    pooler = h * h + h
    return embeddings + s.num_layers * layer + pooler


def _count_distilbert(s: ModelShape) -> int:
    h, i = s.hidden_size, s.intermediate_size
    embeddings = (s.vocab_size + (s.max_positions or 0)) * h + 2 * h
    layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h
    return embeddings + s.num_layers * layer


def _count_t5(s: ModelShape) -> int:
    cfg = s.raw or {}
    d, inner, ff = s.hidden_size, s.q_dim, s.intermediate_size
    buckets = int(cfg.get("relative_attention_num_buckets", 32)) * s.num_heads
    attn = 4 * d * inner
    mlp = (3 if s.gated_mlp else 2) * d * ff
    encoder = s.num_layers * (attn + mlp + 2 * d) + buckets + d
    decoder = s.num_decoder_layers * (2 * attn + mlp + 3 * d) + buckets + d
    return s.vocab_size * d + encoder + decoder + _lm_head(s)


def _count_falcon(s: ModelShape) -> int:
    cfg = s.raw or {}
    h, i = s.hidden_size, s.intermediate_size
    bias = bool(cfg.get("bias", False))
    qkv_out = s.q_dim + 2 * s.kv_dim
    layer = h * qkv_out + h * h + 2 * h * i + (qkv_out + 2 * h + i if bias else 0)
    new_arch = bool(cfg.get("new_decoder_architecture"))
    if not cfg.get("parallel_attn", True):
        norms = 2
    else:
        norms = int(cfg.get("num_ln_in_parallel_attn") or (2 if new_arch else 1))
    return s.vocab_size * h + s.num_layers * (layer + norms * 2 * h) + 2 * h + _lm_head(s)


def _count_gpt_neox(s: ModelShape) -> int:
    cfg = s.raw or {}
    h, i = s.hidden_size, s.intermediate_size
    biases = (3 * h + h) if cfg.get("attention_bias", True) else 0
    layer = 4 * h + 3 * h * h + h * h + biases + (h * i + i) + (i * h + h)
    return s.vocab_size * h + s.num_layers * layer + 2 * h + _lm_head(s)


_COUNTERS = {
    "gpt2": _count_gpt2, "llama": _count_llama, "generic": _count_llama, "bert": _count_bert,
    "distilbert": _count_distilbert, "t5": _count_t5, "falcon": _count_falcon,
    "gpt_neox": _count_gpt_neox,
}  # fmt: skip


def read_config(folder: str | Path) -> dict[str, Any]:
    """The parsed config.json of a model folder."""
    path = Path(folder) / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelConfigError(f"No config.json in {Path(folder)}") from exc
    except OSError as exc:
        raise ModelConfigError(f"Cannot read {path}", exc.strerror or str(exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelConfigError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelConfigError(f"{path} is not a JSON object")
    return data  # type: ignore[return-value]
