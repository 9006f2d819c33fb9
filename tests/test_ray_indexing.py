"""Indexing on a real local Ray (``rag index --ray``): the persisted index equals the local path's
(same sentences and offsets, vectors within 1e-5) on the shipped corpus and on xquad_en, and either
path can update an index the other built."""

from __future__ import annotations

import numpy as np
import pytest

from rag.corpus import load_corpus
from rag.embedding import load_embedder
from rag.index import open_index
from rag.paths import shared_dir
from rag.ray_indexing import RayEmbedder, RayOptions, RaySplitter, connect, running, shutdown
from rag.settings import Settings
from rag.splitting import SPLITTER_ID, SpacySplitter

XQUAD = shared_dir() / "benchmarks" / "xquad_en" / "corpus.jsonl"


@pytest.fixture(scope="module")
def ray_options():
    """One local Ray with two workers for the module (starting one costs ~10 s)."""
    options = RayOptions("local", workers=2, batch_size=64, min_rows=1)
    connect(options)
    yield options
    shutdown()


def _assert_same(on_ray, local) -> None:
    """Same manifest identities, the same sentences with offsets in the same rows, vectors within 1e-5."""
    for key in ("model", "splitter", "documents", "counts"):
        assert on_ray.manifest[key] == local.manifest[key], key
    assert len(on_ray) == len(local) > 0
    assert [on_ray.sentences[i] for i in range(len(on_ray))] == [local.sentences[i] for i in range(len(local))]
    assert np.abs(on_ray.vectors() - local.vectors()).max() <= 1e-5


def test_an_unreachable_ray_cluster_is_a_clear_error(shipped_corpus, tmp_path, capsys) -> None:
    from rag.__main__ import main

    if running():
        pytest.skip("a Ray is already connected in this process")
    code = main(["index", "--corpus", str(shipped_corpus), "--index", str(tmp_path / "i"), "--ray", "127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert "could not start or reach Ray at '127.0.0.1:9'" in err and "Traceback" not in err
    assert not (tmp_path / "i" / "manifest.json").exists()


def test_rag_index_ray_equals_the_local_index_and_the_local_path_reuses_it(assistant, shipped_corpus, tmp_path,
                                                                          ray_options, capsys) -> None:
    from rag.__main__ import main
    from rag.assistant import Assistant

    folder = tmp_path / "index"
    assert main(["index", "--corpus", str(shipped_corpus), "--index", str(folder), "--ray"]) == 0
    assert f"{len(assistant.documents)} embedded" in capsys.readouterr().out
    assert running()   # the command leaves alone a Ray it did not start
    again = Assistant.load(settings=Settings(corpus=shipped_corpus, index=folder, show_progress=False))
    assert again.report.embedded == [] and len(again.report.reused) == len(again.documents)
    _assert_same(again.index, assistant.index)


@pytest.mark.skipif(not XQUAD.is_file(), reason="xquad_en is not in ../shared")
def test_ray_index_equals_the_local_index_on_xquad(tmp_path, ray_options) -> None:
    corpus = load_corpus(XQUAD)
    backend = Settings().embedder_backend      # the default (ONNX): actors use the driver's export folder
    embedder = load_embedder(None, 2, 32, backend)
    built = {}
    for name, emb, splitter in (("local", embedder, SpacySplitter()),
                                ("ray", RayEmbedder(embedder, ray_options, backend), RaySplitter(ray_options))):
        built[name] = open_index(corpus, emb, tmp_path / name, splitter.split, model_sha256=emb.sha256,
                                 splitter=splitter.name)[0]
    _assert_same(built["ray"], built["local"])


def test_ray_options_are_checked() -> None:
    with pytest.raises(ValueError, match="workers"):
        RayOptions(workers=0)
    with pytest.raises(ValueError, match="ray_workers"):
        Settings(ray="local", ray_workers=0)
    assert RaySplitter(RayOptions()).name == SPLITTER_ID

