"""Calibrate hf_ecosystem.device.memory against what PyTorch really allocates.

GPU mode (default): builds gpt2-small/medium, a llama-shaped 1B (GQA, 128k vocabulary),
Qwen2-0.5B's shape (150k vocabulary, tied embeddings) and bert-base from configs with random
weights on CUDA and compares the estimate with `torch.cuda.max_memory_allocated()` for inference
(KV cache on), full fine-tuning (fp32 weights, bf16 autocast, fused AdamW as Trainer(bf16=True))
and LoRA (peft, when installed). Prints measured vs estimated, the ratio and PASS/FAIL at ±15 %;
exits cleanly without CUDA. Training runs two steps as Trainer does (autocast forward, backward,
clip, fused AdamW step, zero_grad): the estimate is the peak once Adam's states exist (step 2);
step 1's peak is printed beside it.

CPU mode (`--cpu`): small configs on the CPU (`--real` adds gpt2-small at 8x512). Compares (1)
the saved-activation term with what `torch.autograd.graph.saved_tensors_hooks` sees, and (2) the
whole peak with a live-tensor tracker (a TorchDispatchMode that counts every storage until it is
freed), against the estimate for CPU autocast (`target="cpu"`). LoRA uses a wrapper with peft's
forward. Attention dropout is off: on the CPU, SDPA with dropout falls back to the math kernel,
which keeps seq^2 matrices that CUDA's flash / memory-efficient kernels do not. A one-layer
Qwen2-0.5B (its 150k tied vocabulary) is measured by the RSS high-water mark (`measure_rss`).
"""

from __future__ import annotations

import argparse
import sys
import weakref
from typing import Any

TOLERANCE = 0.15
MIB = 1024**2

GPU_MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "gpt2-small": ("gpt2", {}),
    "gpt2-medium": ("gpt2", {"n_embd": 1024, "n_layer": 24, "n_head": 16}),
    "llama-1b-gqa": ("llama", {
        "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
        "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
        "tie_word_embeddings": True, "max_position_embeddings": 8192,
    }),
    "bert-base": ("bert", {}),
}  # fmt: skip
# Qwen2-0.5B's shape (transformers' Qwen2Config defaults are Qwen2-7B's).
QWEN2_05B: dict[str, Any] = {
    "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
    "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
    "tie_word_embeddings": True, "max_position_embeddings": 32768, "rope_theta": 1e6,
}  # fmt: skip
GPU_MODELS["qwen2-0.5b"] = ("qwen2", QWEN2_05B)
# Its large-vocabulary part on the CPU: one layer, measured by the RSS high-water mark.
RSS_MODELS = {"qwen2-0.5b-1layer": ("qwen2", {**QWEN2_05B, "num_hidden_layers": 1})}
CPU_MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "gpt2-tiny": ("gpt2", {"n_embd": 256, "n_layer": 4, "n_head": 4, "vocab_size": 8000,
                           "attn_pdrop": 0.0}),
    "llama-tiny-gqa": ("llama", {
        "hidden_size": 256, "intermediate_size": 704, "num_hidden_layers": 4,
        "num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 8000,
    }),
    "bert-tiny": ("bert", {"hidden_size": 256, "intermediate_size": 1024, "num_hidden_layers": 4,
                           "num_attention_heads": 4, "vocab_size": 8000,
                           "attention_probs_dropout_prob": 0.0}),
}  # fmt: skip
LORA_TARGETS = {"gpt2": ("c_attn",), "llama": ("q_proj", "v_proj"), "bert": ("query", "value")}


HEAD_CLASSES = {
    "lm": None, "base": "AutoModel", "sequence": "AutoModelForSequenceClassification",
    "token": "AutoModelForTokenClassification",
}  # fmt: skip


def build(model_type: str, overrides: dict[str, Any], device: str = "cpu", head: str = "lm") -> Any:
    """A random-init model from a config: causal LM for decoders, masked LM for BERT; or with
    `head` a base model ("base") or a 2-label sequence / token classifier. config.architectures
    names the class, as a saved config.json does, so the estimate follows the head."""
    import torch
    import transformers

    config = transformers.AutoConfig.for_model(model_type, **overrides)
    config._attn_implementation = "sdpa"
    name = HEAD_CLASSES[head] or ("AutoModelForMaskedLM" if model_type == "bert" else
                                  "AutoModelForCausalLM")  # fmt: skip
    torch.manual_seed(0)
    with torch.device(device):
        model = getattr(transformers, name).from_config(config)
    model.config.architectures = [type(model).__name__]
    return model


def _labels(model: Any, ids: Any) -> Any:
    """Labels the model's head trains on: token ids for an LM, class ids for a classifier."""
    import torch

    name = (model.config.architectures or [""])[0]
    if name.endswith("ForSequenceClassification"):
        return torch.randint(0, model.config.num_labels, ids.shape[:1], device=ids.device)
    if name.endswith("ForTokenClassification"):
        return torch.randint(0, model.config.num_labels, ids.shape, device=ids.device)
    return ids


def _task(model: Any) -> str | None:
    """The training task whose head this model has (None: an LM, counted as causal-lm)."""
    name = (model.config.architectures or [""])[0]
    if name.endswith("ForSequenceClassification"):
        return "text-classification"
    if name.endswith("ForTokenClassification"):
        return "token-classification"
    return "causal-lm"


def estimate(model: Any, batch: int, seq: int, train: str | None, target: str) -> Any:
    """Our estimate for this model, with its exact parameter count."""
    from hf_ecosystem.device.memory import estimate_memory
    from hf_ecosystem.device.model_shape import shape_from_config

    shape = shape_from_config(model.config.to_dict())
    # With LoRA the estimate adds the adapters itself: count the frozen base only.
    params = sum(p.numel() for p in model.parameters() if train != "lora" or not p.requires_grad)
    target_name: Any = target
    return estimate_memory(
        shape or params,
        batch=batch,
        seq=seq,
        train=train,
        parameters=params,
        target=target_name,
        task=_task(model),
    )


# --- CPU measurement -------------------------------------------------------------------------


def live_tracker(ignore: set[int]) -> Any:
    """A TorchDispatchMode counting the bytes of every storage ops create, until it is freed."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class LiveBytes(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.live: dict[int, int] = {}
            self.current = self.peak = 0

        def _free(self, key: int) -> None:
            self.current -= self.live.pop(key, 0)

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            out = func(*args, **(kwargs or {}))
            for t in tree_flatten(out)[0]:
                if not isinstance(t, torch.Tensor) or t.device.type != "cpu":
                    continue
                storage = t.untyped_storage()
                key = storage.data_ptr()
                if key in self.live or key in ignore or storage.nbytes() == 0:
                    continue
                self.live[key] = storage.nbytes()
                self.current += storage.nbytes()
                weakref.finalize(storage, self._free, key)
            self.peak = max(self.peak, self.current)
            return out

    return LiveBytes()


def _storage_keys(model: Any) -> set[int]:
    return {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}


def _static_bytes(model: Any) -> int:
    return sum(t.numel() * t.element_size() for t in (*model.parameters(), *model.buffers()))


def _is_weight_copy(fn: Any, params: set[int]) -> bool:
    """True when a saved tensor is autocast's copy (maybe transposed) of a parameter."""
    for _ in range(4):
        if fn is None:
            return False
        if fn.name() == "torch::autograd::AccumulateGrad":
            return fn.variable.untyped_storage().data_ptr() in params
        nexts = [f for f, _ in fn.next_functions if f is not None]
        if len(nexts) != 1 or fn.name() not in ("ToCopyBackward0", "TBackward0", "ViewBackward0"):
            return False
        fn = nexts[0]
    return False


def saved_activation_bytes(model: Any, batch: int, seq: int, vocab: int) -> dict[str, int]:
    """Bytes of the distinct storages autograd saves in one bf16-autocast forward, by kind."""
    import torch

    params = _storage_keys(model)
    seen: dict[int, tuple[str, int]] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = t.untyped_storage().data_ptr()
        if key not in params and key not in seen:
            if _is_weight_copy(t.grad_fn, params):
                kind = "weight_copies"
            elif t.dim() and t.shape[-1] == vocab and t.numel() == batch * seq * vocab:
                kind = "logits"
            else:
                kind = "activations"
            seen[key] = (kind, t.untyped_storage().nbytes())
        return t

    ids = torch.randint(0, vocab, (batch, seq))
    model.config.use_cache = False
    model.train()
    hooks = torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t)
    with hooks, torch.autocast("cpu", dtype=torch.bfloat16):
        model(input_ids=ids, labels=_labels(model, ids))
    totals = {"activations": 0, "weight_copies": 0, "logits": 0}
    for kind, nbytes in seen.values():
        totals[kind] += nbytes
    return totals


class LoraLinear:
    """Builds a module with peft's LoRA forward: base(x) + B(A(x.float())) * alpha / r."""

    @staticmethod
    def wrap(base: Any, r: int = 16, alpha: int = 32) -> Any:
        import torch
        from torch import nn

        conv1d = type(base).__name__ == "Conv1D"  # GPT-2 stores (in, out)
        d_in, d_out = base.weight.shape if conv1d else base.weight.shape[::-1]

        class Lora(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.base_layer = base
                self.lora_A = nn.Linear(d_in, r, bias=False, device=base.weight.device)
                self.lora_B = nn.Linear(r, d_out, bias=False, device=base.weight.device)
                nn.init.zeros_(self.lora_B.weight)
                self.scaling = alpha / r

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                result = self.base_layer(x)
                dtype = result.dtype
                x = x.to(self.lora_A.weight.dtype)
                result = result + self.lora_B(self.lora_A(x)) * self.scaling
                return result.to(dtype)

        return Lora()


def add_lora(model: Any, model_type: str) -> Any:
    """Freeze a bf16 base and add fp32 adapters where peft puts them by default."""
    import torch

    try:
        from peft import LoraConfig, get_peft_model  # type: ignore[import-not-found]
    except ImportError:
        LoraConfig = get_peft_model = None
    model.to(torch.bfloat16)
    if get_peft_model is not None and LoraConfig is not None:
        return get_peft_model(model, LoraConfig(r=16, lora_alpha=32))
    model.requires_grad_(False)
    for module in list(model.modules()):
        for child_name, child in list(module.named_children()):
            if child_name in LORA_TARGETS[model_type]:
                setattr(module, child_name, LoraLinear.wrap(child))
    return model


def step(model: Any, ids: Any, opt: Any, device: str) -> None:
    """One training step as Trainer runs it: autocast forward, backward, clip, step, zero."""
    import torch

    with torch.autocast(device, dtype=torch.bfloat16):
        loss = model(input_ids=ids, labels=_labels(model, ids)).loss
    loss.backward()
    del loss
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def measure(model: Any, batch: int, seq: int, train: str | None, device: str) -> tuple[int, int]:
    """(first-step peak, peak over two steps) in bytes; inference returns its peak twice."""
    import torch

    vocab = model.config.vocab_size
    ids = torch.randint(0, vocab, (batch, seq), device=device)
    cuda = device == "cuda"
    tracker = None if cuda else live_tracker(_storage_keys(model))
    base = 0 if cuda else _static_bytes(model)

    def reset() -> None:
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            tracker.peak = tracker.current  # type: ignore[union-attr]

    def peak() -> int:
        if cuda:
            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated()
        return base + tracker.peak  # type: ignore[union-attr]

    if train is None:
        model.eval()
        reset()
        cache = {} if model.config.model_type == "bert" else {"use_cache": True}
        with torch.no_grad(), tracker or _null():
            model(input_ids=ids, **cache)
        result = peak()
        return result, result
    model.config.use_cache = False
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-5, fused=True)
    with tracker or _null():
        reset()
        step(model, ids, opt, device)
        first = peak()
        reset()
        step(model, ids, opt, device)
        second = peak()
    return first, max(first, second)


def _rss(key: str) -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(key))
    return int(line.split()[1]) * 1024


def measure_rss(model: Any, batch: int, seq: int) -> int:
    """Full fine-tuning's peak over two steps from the process's RSS high-water mark (Linux).

    The live-tensor tracker cannot see this case right: asking a tensor for its storage keeps a
    Python storage object alive, so autograd no longer adds the embedding's gradient in place
    into the LM head's (tied weights) and a third vocab x hidden tensor appears that a plain run
    never makes. Tensors above glibc's mmap threshold (32 MiB) are mapped and unmapped one by
    one, so for a large vocabulary the high-water mark tracks the live bytes closely."""
    import torch

    ids = torch.randint(0, model.config.vocab_size, (batch, seq))
    model.config.use_cache = False
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    step(model, ids, opt, "cpu")
    resident = _static_bytes(model) + sum(
        value.numel() * value.element_size()
        for state in opt.state.values()
        for value in state.values()
        if torch.is_tensor(value)
    )
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the current RSS
    before = _rss("VmRSS")
    step(model, ids, opt, "cpu")
    return resident + _rss("VmHWM") - before


def rss_report(shapes: list[tuple[int, int]]) -> bool:
    """Measured (RSS) vs estimated full fine-tuning peaks of the large-vocabulary models."""
    ok = True
    for name, (model_type, overrides) in RSS_MODELS.items():
        for batch, seq in shapes:
            model = build(model_type, overrides)
            est = estimate(model, batch, seq, "full", "cpu")
            ok &= _row(name, f"full {batch}x{seq}", measure_rss(model, batch, seq),
                       est.training_bytes)  # fmt: skip
            del model
    return ok


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# --- reports ---------------------------------------------------------------------------------


def _verdict(ratio: float) -> str:
    return "PASS" if abs(ratio - 1) <= TOLERANCE else "FAIL"


def _row(name: str, scenario: str, measured: int, estimated: int, extra: str = "") -> bool:
    ratio = estimated / measured if measured else float("inf")
    print(
        f"{name:<20} {scenario:<17} measured {measured / MIB:9.1f} MiB  "
        f"estimated {estimated / MIB:9.1f} MiB  ratio {ratio:5.2f}  {_verdict(ratio)}{extra}"
    )
    return _verdict(ratio) == "PASS"


def saved_tensor_report(batch: int, seq: int) -> list[tuple[str, int, int]]:
    """(model, measured saved-activation bytes, estimated) for the CPU models, full and LoRA."""
    from hf_ecosystem.device.activations import activation_bytes
    from hf_ecosystem.device.model_shape import shape_from_config

    rows: list[tuple[str, int, int]] = []
    for name, (model_type, overrides) in CPU_MODELS.items():
        for mode in ("full", "lora"):
            model = build(model_type, overrides)
            if mode == "lora":
                model = add_lora(model, model_type)
            vocab = model.config.vocab_size
            measured = saved_activation_bytes(model, batch, seq, vocab)["activations"]
            shape = shape_from_config(model.config.to_dict())
            assert shape is not None
            estimated = activation_bytes(shape, batch, seq, mode=mode, target="cpu")  # type: ignore[arg-type]
            rows.append((f"{name} {mode}", measured, estimated))
    return rows


def peak_report(models: dict[str, tuple[str, dict[str, Any]]], shapes: list[tuple[int, int]],
                device: str) -> bool:  # fmt: skip
    """Measured vs estimated peaks for every model, shape and scenario; True when all pass."""
    import torch

    target = "cuda" if device == "cuda" else "cpu"
    has_peft = _has_peft()
    ok = True
    for name, (model_type, overrides) in models.items():
        for batch, seq in shapes:
            for train in (None, "full", "lora"):
                if train == "lora" and device == "cuda" and not has_peft:
                    print(f"{name:<20} lora: skipped (peft is not installed)")
                    continue
                model = build(model_type, overrides, device)
                if train == "lora":
                    model = add_lora(model, model_type)
                elif train is None:
                    model.to(torch.bfloat16)
                est = estimate(model, batch, seq, train, target)
                first, steady = measure(model, batch, seq, train, device)
                label = f"{train or 'inference'} {batch}x{seq}"
                expected = est.training_bytes if train else est.inference_bytes
                extra = f"  (first step {first / MIB:.1f} MiB)" if train and first != steady else ""
                ok &= _row(name, label, steady, expected, extra)
                del model
                if device == "cuda":
                    torch.cuda.empty_cache()
    return ok


def _has_peft() -> bool:
    from importlib.util import find_spec

    return find_spec("peft") is not None


def main(argv: list[str] | None = None) -> int:
    """Run the GPU calibration, or the CPU proxy with --cpu."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="CPU proxy: saved tensors, live peaks")
    parser.add_argument("--shapes", default=None, help="batch x seq list, e.g. 1x128,8x512")
    parser.add_argument(
        "--real", action="store_true", help="with --cpu: also gpt2-small at 8x512 (about 2 min)"
    )
    args = parser.parse_args(argv)
    import torch

    if args.cpu:
        torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
        shapes = _shapes(args.shapes or "2x64,4x256")
        print("== saved activations (saved_tensors_hooks) vs activation_bytes(target='cpu')")
        for batch, seq in shapes:
            for name, measured, estimated in saved_tensor_report(batch, seq):
                _row(name, f"saved {batch}x{seq}", measured, estimated)
        print("== peak (live-tensor tracker) vs estimate(target='cpu')")
        ok = peak_report(CPU_MODELS, shapes, "cpu")
        print("== peak (RSS high-water mark) vs estimate(target='cpu'), tied 150k vocabulary")
        ok &= rss_report([(1, 64), (2, 512)])
        if args.real:
            real = {"gpt2-small": ("gpt2", {"attn_pdrop": 0.0})}
            ok &= peak_report(real, [(8, 512)], "cpu")
        print("all within ±15 %" if ok else "some rows are outside ±15 %")
        return 0
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to calibrate here. Run with --cpu for the CPU proxy.")
        return 0
    print(f"device: {torch.cuda.get_device_name(0)}; peft: {'yes' if _has_peft() else 'no'}")
    ok = peak_report(GPU_MODELS, _shapes(args.shapes or "1x128,8x512"), "cuda")
    print("all within ±15 %" if ok else "some rows are outside ±15 %")
    return 0 if ok else 1


def _shapes(text: str) -> list[tuple[int, int]]:
    pairs = [part.lower().split("x") for part in text.split(",") if part.strip()]
    return [(int(b), int(s)) for b, s in pairs]


if __name__ == "__main__":
    sys.exit(main())
