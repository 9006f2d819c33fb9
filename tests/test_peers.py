"""``python -m rag bench --peers``: the recall definition all three systems share, the message when
the peers are not installed, and (where they are) a run of all three on a tiny slice of xquad_en."""

from __future__ import annotations

import json

import pytest

from rag.paths import shared_dir
from rag.tools import bench, peers
from rag.tools.peers import GoldQuestion, PeerConfig, Unit, holds_answer_sentence, recall_at, subset
from rag.types import Document

XQUAD = shared_dir() / "benchmarks" / "xquad_en"
QUESTION = GoldQuestion("q1", "Who had five sacks?", ("Kony Ealy",),
                        ("The line also featured Kony Ealy, who had 5 sacks in just 9 starts.",), ("doc-a",))


def test_a_unit_counts_when_it_holds_the_evidence_sentence() -> None:
    chunk = "Earlier text.  The line also featured Kony Ealy, who had 5 sacks\n in just 9 starts. Later text."
    assert holds_answer_sentence(Unit("doc-b", chunk), QUESTION)                # whitespace does not matter
    assert not holds_answer_sentence(Unit("doc-a", "The line also featured"), QUESTION)   # a fragment does not


def test_a_unit_counts_when_it_holds_the_answer_in_the_gold_paragraph_only() -> None:
    # another splitter cut the evidence sentence in two: the half with the answer counts
    assert holds_answer_sentence(Unit("doc-a", "The line also featured Kony Ealy,"), QUESTION)
    assert not holds_answer_sentence(Unit("doc-z", "Kony Ealy was born in 1991."), QUESTION)
    assert not holds_answer_sentence(Unit("doc-a", "Kony Ealyson played too."), QUESTION)   # whole tokens only


def test_recall_at_k_is_the_share_of_questions_found_in_the_first_k() -> None:
    hit, miss = Unit("doc-a", "Kony Ealy, who had 5 sacks"), Unit("doc-a", "Nothing here.")
    other = GoldQuestion("q2", "Who?", ("Rollo",), (), ("doc-b",))
    retrieved = [[miss, hit], [miss, miss]]
    assert recall_at(retrieved, [QUESTION, other], 1) == 0.0
    assert recall_at(retrieved, [QUESTION, other], 2) == 0.5
    with pytest.raises(ValueError):
        recall_at(retrieved, [QUESTION], 1)
    with pytest.raises(ValueError):
        recall_at(retrieved, [QUESTION, other], 0)


def test_subset_keeps_the_questions_whose_paragraphs_are_kept() -> None:
    docs = [Document(f"doc-{c}", "T", "text") for c in "abc"]
    questions = [QUESTION, GoldQuestion("q2", "?", ("x",), (), ("doc-c",)),
                 GoldQuestion("q3", "?", ("y",), (), ("doc-b",))]
    kept_docs, kept = subset(docs, questions, limit_docs=2)
    assert [d.doc_id for d in kept_docs] == ["doc-a", "doc-b"] and [q.id for q in kept] == ["q1", "q3"]
    assert [q.id for q in subset(docs, questions, 0, 1)[1]] == ["q1"]


def test_peer_config_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="threads"):
        PeerConfig(threads=0)
    with pytest.raises(ValueError, match="candidates"):
        PeerConfig(candidates=3, top_k=5)


def test_peers_without_the_frameworks_say_how_to_install_them(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(peers, "missing_peers", lambda: ["haystack-ai", "llama-index-core"])
    assert bench.main(["--peers", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "haystack-ai, llama-index-core" in err and "requirements-bench.txt" in err
    assert not (tmp_path / "peers.json").exists()


def test_the_normal_bench_does_not_run_the_peers() -> None:
    args = bench._parser().parse_args([])
    assert args.peers is False and args.peers_limit == 0


def test_the_peers_table_has_one_row_per_system_and_shows_a_recall_spread() -> None:
    stat = lambda *values: bench.summarize(list(values))
    row = {"units": 1177, "unit_words": 24.4, "build_s": stat(9.0, 9.5), "p50_ms": stat(17.0, 18.0),
           "p95_ms": stat(25.0, 26.0), "peak_mb": stat(800.0), "before_build_mb": stat(580.0)}
    table = bench.peers_report_lines({"documents": 240, "questions": 200, "threads": 2, "candidates": 30, "top_k": 5,
                                      "systems": {"ours": {**row, "label": "ours (rag)", "recall@1": stat(0.8),
                                                           "recall@5": stat(0.95), "retrieved_words": 71.6},
                                                  "haystack": {**row, "label": "haystack-ai 2.31.0",
                                                               "recall@1": stat(0.75, 0.76), "recall@5": stat(0.9)}}})
    assert "240 paragraphs, 200 questions" in table[0] and "2 torch/OpenMP threads" in table[0]
    assert [line.split()[0] for line in table[2:]] == ["ours", "haystack-ai"]
    assert table[2].split()[7:9] == ["0.800", "0.950"] and "0.755 [0.750-0.760]" in table[3] and "1177 (24)" in table[2]
    assert table[2].split()[4] == "72" and table[3].split()[4] == "-"     # words per unit handed back, when known


_MISSING = peers.missing_peers()


@pytest.mark.slow
@pytest.mark.timeout(1800)   # three fresh processes that each import torch and load the model: ~1-2 min on a
                             # quiet machine, over the default 600 s when the CPU is shared with a training run
@pytest.mark.skipif(bool(_MISSING), reason=f"peer frameworks not installed in this python ({', '.join(_MISSING)}): "
                                           "see requirements-bench.txt / scripts/setup_bench.sh")
@pytest.mark.skipif(not (XQUAD / "corpus.jsonl").is_file(), reason="xquad_en is not in ../shared")
def test_all_three_systems_run_on_a_tiny_slice(tmp_path, capsys) -> None:
    """5 paragraphs, their 4 questions: every system builds, retrieves units of those paragraphs and
    is scored; only that it runs is checked here, not how fast."""
    code = bench.main(["--peers", "--peers-limit", "5", "--peers-questions", "5", "--repeats", "1",
                       "--out", str(tmp_path)])
    assert code == 0
    result = json.loads((tmp_path / "peers.json").read_text(encoding="utf-8"))["peers"]
    assert result["documents"] == 5 and 1 <= result["questions"] <= 5
    assert set(result["systems"]) == set(peers.SYSTEMS)
    for row in result["systems"].values():
        assert row["units"] >= 5 and 0.0 <= row["recall@1"]["median"] <= row["recall@5"]["median"] <= 1.0
        assert row["peak_mb"]["median"] > row["before_build_mb"]["median"] > 0
    table = capsys.readouterr().out
    assert "haystack-ai" in table and "llama-index-core" in table and "R@5" in table


@pytest.mark.skipif(bool(_MISSING), reason=f"peer frameworks not installed in this python ({', '.join(_MISSING)})")
def test_llamaindex_embeds_title_then_text_like_the_others() -> None:
    """The three systems embed the same text for a unit, "<title>. <unit>" (rag.index.embedding_text)."""
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import MetadataMode

    from rag.tools.peers import llama_document

    nodes = SentenceSplitter(chunk_size=64, chunk_overlap=0).get_nodes_from_documents(
        [llama_document(Document("d1", "Super Bowl 50", "The Broncos won. The Panthers lost."))])
    assert isinstance(nodes[0].ref_doc_id, str) and nodes[0].ref_doc_id == "d1"
    assert nodes[0].get_content(metadata_mode=MetadataMode.EMBED) == "Super Bowl 50. The Broncos won. The Panthers lost."
    assert nodes[0].get_content() == "The Broncos won. The Panthers lost."
