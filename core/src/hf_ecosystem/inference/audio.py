"""Speech recognition: audio decoded to a 16 kHz array here (no ffmpeg/torchcodec), long audio
in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hf_ecosystem.inference.errors import BadInputError
from hf_ecosystem.inference.inputs import as_dict
from hf_ecosystem.inference.loading import LoadContext
from hf_ecosystem.paths import user_path

SAMPLING_RATE = 16000
# Whisper-style models see 30 s at a time; longer audio is cut into overlapping chunks.
CHUNK_LENGTH_S = 30.0


def load_audio(value: Any, sampling_rate: int = SAMPLING_RATE) -> Any:
    """A mono float32 numpy array at `sampling_rate` from a path, an array (assumed at that
    rate) or {"array"|"raw", "sampling_rate"}."""
    import numpy as np

    fields = as_dict(value)
    if fields is not None and "audio" in fields:
        value = fields["audio"]
    if isinstance(value, str | Path):
        return _read(user_path(value), sampling_rate)
    fields = as_dict(value)
    if fields is not None:
        array = fields.get("array", fields.get("raw"))
        rate = int(fields.get("sampling_rate", sampling_rate))
        if array is None:
            raise BadInputError(
                "Audio dict has no samples", 'Use {"array": …, "sampling_rate": …}.'
            )
        return _resample(_mono(np.asarray(array, dtype=np.float32)), rate, sampling_rate)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _mono(np.asarray(value, dtype=np.float32))
    raise BadInputError(
        f"Expected audio, got {type(value).__name__}", "Pass a path to a sound file or an array."
    )


def _mono(array: Any) -> Any:
    # soundfile gives (frames, channels); average the channels.
    return array.mean(axis=1) if array.ndim == 2 else array


def _resample(array: Any, rate: int, target: int) -> Any:
    if rate == target:
        return array
    import librosa

    return librosa.resample(array, orig_sr=rate, target_sr=target)


def _read(path: Path, sampling_rate: int) -> Any:
    if not path.is_file():
        raise BadInputError(f"Audio file not found: {path}", "Pass the path of a sound file.")
    try:
        import soundfile

        # soundfile reads WAV/FLAC/OGG directly, sparing librosa's (numba) start-up cost.
        array, rate = soundfile.read(str(path), dtype="float32", always_2d=False)
        return _resample(_mono(array), int(rate), sampling_rate)
    except Exception:  # a format soundfile cannot read (e.g. MP3 on old libsndfile): librosa
        pass
    import librosa

    try:
        array, _ = librosa.load(str(path), sr=sampling_rate, mono=True)
    except Exception as exc:
        raise BadInputError(f"Cannot decode audio: {path}", str(exc)[:200]) from exc
    return array


class SpeechRecognizer:
    """automatic-speech-recognition → {"text"}; audio over 30 s is transcribed in chunks."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("automatic-speech-recognition")
        extractor = self.pipe.feature_extractor
        self.rate = int(getattr(extractor, "sampling_rate", SAMPLING_RATE))
        self.whisper = self.pipe.model.config.model_type == "whisper"

    def run(
        self,
        items: list[Any],
        *,
        chunk_length_s: float | None = None,
        language: str | None = None,
        batch_size: int = 1,
    ) -> list[Any]:
        results: list[Any] = []
        for item in items:
            array = load_audio(item, self.rate)
            if array.size == 0:
                raise BadInputError("The audio is empty", "Pass a recording with sound in it.")
            kwargs: dict[str, Any] = {"batch_size": batch_size}
            seconds = array.shape[0] / self.rate
            chunk = chunk_length_s or (CHUNK_LENGTH_S if seconds > CHUNK_LENGTH_S else None)
            if chunk:
                kwargs["chunk_length_s"] = chunk
                kwargs["ignore_warning"] = True  # chunking seq2seq models is what we want here
            if self.whisper and language:
                kwargs["generate_kwargs"] = {"language": language, "task": "transcribe"}
            out = self.pipe({"raw": array, "sampling_rate": self.rate}, **kwargs)
            results.append({"text": str(out["text"]).strip()})
        return results
