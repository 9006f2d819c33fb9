"""Reliability and security: bad questions, broken files, killed and concurrent index builds, and
hostile uploads are reported with a clear message and change no stored data.

Everything here runs with the fake embedder, the fake splitter and a fake reader (seconds, no
models); docs/RELIABILITY.md lists each case and what happened. Cases already covered elsewhere
(tests/test_assistant.py: clean_question alone; tests/test_corpus.py: one bad file at a time;
tests/test_index.py: truncated/deleted/edited index files, model name change; tests/test_ui.py:
markup in rendered answers and documents) are not repeated.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Sequence

import pytest
import xxhash

from conftest import MINI, ROOT, FakeEmbedder, FakeSplitter, SentenceReader, fake_split
from rag import ui
from rag.assistant import MAX_UPLOAD_BYTES, Assistant
from rag.corpus import MAX_FILE_BYTES, content_hash, load_corpus
from rag.embedding import verify_file
from rag.errors import CorpusError, ModelError, QuestionError, UploadError
from rag.index import LOCK, MANIFEST, MERGE_LOCK, manifest_files, merge_segments, open_index
from rag.settings import Settings
from rag.util import file_checksum
from ui_server import UiServer, ui_server  # noqa: F401  (the app server fixture, shared with the UI tests)

WORKER = Path(__file__).with_name("index_build_worker.py")
XSS = "<img src=x onerror=alert(1)>"


# --- helpers --------------------------------------------------------------------------------

_FAKES: dict[str, object] = {}


@pytest.fixture
def fake_models() -> Iterator[FakeEmbedder]:
    """Fake embedder, splitter and reader, handed to Assistant.load by ``load`` (uploads re-index with them too)."""
    embedder = FakeEmbedder()
    _FAKES.update(embedder=embedder, splitter=FakeSplitter(), reader=SentenceReader())
    yield embedder
    _FAKES.clear()


def load(corpus: Path, index: Path) -> Assistant:
    """An assistant over ``corpus`` that never abstains (the fake reader's confidence is not calibrated),
    built from the fake stages of ``fake_models``."""
    assert _FAKES, "use the fake_models fixture"
    return Assistant.load(settings=Settings(corpus=corpus, index=index, abstain_below=0.0, show_progress=False),
                          **_FAKES)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes: compared before and after to prove nothing changed."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def open_fake(corpus: Path, index: Path, embedder: FakeEmbedder | None = None):
    """``open_index`` as the build worker calls it (same model identity, so the two share an index)."""
    return open_index(load_corpus(corpus), embedder or FakeEmbedder(), index, fake_split, model_sha256="abc",
                      splitter="fake")


def assert_verbatim(assistant: Assistant, corpus: Path, answer) -> None:
    """Every citation and related sentence is, byte for byte, in the file now on disk."""
    on_disk = load_corpus(corpus).by_id()
    for c in [*answer.citations, *answer.related]:
        assert c.doc_id in on_disk, f"cites {c.doc_id!r}, which is no longer in the corpus"
        assert on_disk[c.doc_id].text[c.start:c.end] == c.sentence


def assert_consistent(index: Path, versions: Sequence[Path]) -> Path:
    """Check the committed index without rag.index: every segment's data files match their checksums,
    its FAISS rows and sentence table rows agree, the live rows (tombstoned documents left out) agree
    with the manifest's counts, no document is live twice, and every live row is verbatim in one
    corpus version.

    Returns the corpus version (folder) the index matches.
    """
    import faiss
    import pyarrow.ipc

    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format_version"] == 3
    rows, keys = [], []
    for segment in manifest["segments"]:
        files = segment["files"]
        for name in files.values():
            expected = manifest["checksums"][name]
            assert expected == "xxh3_128:" + xxhash.xxh3_128((index / name).read_bytes()).hexdigest(), name
        table = pyarrow.ipc.open_file(str(index / files["sentences"])).read_all().to_pylist()   # rag.sentence_table
        assert faiss.read_index(str(index / files["faiss"])).ntotal == len(table) == segment["rows"]
        keys += [r["key"] for r in table]
        live = [r for r in table if r["doc_id"] not in segment["deleted"]]
        assert not {r["doc_id"] for r in live} & {r["doc_id"] for r in rows}, "a document live in two segments"
        rows += live
    assert keys == sorted(set(keys)), "keys grow from segment to segment"
    assert len(rows) == manifest["counts"]["sentences"]
    per_doc = {doc_id: sum(r["doc_id"] == doc_id for r in rows) for doc_id in manifest["documents"]}
    assert per_doc == {doc_id: info["sentences"] for doc_id, info in manifest["documents"].items()}
    assert len(rows) == sum(per_doc.values()), "rows of a document the manifest does not list"
    hashes = {doc_id: info["sha256"] for doc_id, info in manifest["documents"].items()}
    matches = [v for v in versions if {d.doc_id: content_hash(d.text) for d in load_corpus(v).documents} == hashes]
    assert matches, "the index matches no version of the corpus"
    docs = load_corpus(matches[0]).by_id()
    assert all(docs[r["doc_id"]].text[r["start"]:r["end"]] == r["text"] for r in rows)
    return matches[0]


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    """A corpus folder holding ``files`` (name -> text)."""
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- questions ------------------------------------------------------------------------------

BAD_QUESTIONS = [
    ("", "empty"), (" \n\t\u3000 ", "empty"), ("\x00\x07\x1b\u200b\u202e\ufeff", "empty"), ("?!… --- ¿¡", "no words"),
    ("🐕🐈 ✨", "no words"), ("Where " * 4_000, "the limit is 1,000"), ("x" * 20_000, "20,000 characters long"),
    (None, "must be text"), (42, "must be text"), (b"Where does Rex live?", "must be text"),
    (["Where does Rex live?"], "must be text"),
]


@pytest.mark.parametrize("bad, message", BAD_QUESTIONS, ids=[f"q{i}" for i in range(len(BAD_QUESTIONS))])
def test_bad_question_to_the_assistant_is_refused_and_changes_nothing(
        fake_models: FakeEmbedder, mini_corpus: Path, tmp_path: Path, bad: object, message: str) -> None:
    assistant = load(mini_corpus, tmp_path / "index")
    before, embedded = snapshot(tmp_path), len(fake_models.embedded)
    with pytest.raises(QuestionError, match=message):
        assistant.ask(bad)   # type: ignore[arg-type]
    assert snapshot(tmp_path) == before and len(fake_models.embedded) == embedded, "nothing stored, nothing embedded"


@pytest.mark.parametrize("bad, message", BAD_QUESTIONS, ids=[f"q{i}" for i in range(len(BAD_QUESTIONS))])
def test_bad_question_in_the_ui_is_a_message_not_a_trace(
        fake_models: FakeEmbedder, mini_corpus: Path, tmp_path: Path, bad: object, message: str) -> None:
    chat = ui.ChatUI(load(mini_corpus, tmp_path / "index"))
    first = chat.ask("Where does Rex live?", [], 5, "baseline")
    before = snapshot(tmp_path)
    step = chat.ask(bad, first.history, 5, "baseline")   # type: ignore[arg-type]
    reply = step.messages[-1]["content"]
    # the UI passes only text on: a non-string value arrives as an empty question
    expected = "empty" if not isinstance(bad, str) else message
    assert "rag-error" in reply and expected in reply and "Traceback" not in reply
    assert step.history == first.history, "a refused question does not enter the history"
    assert step.sources == first.sources, "the sources panel still shows the last answer"
    assert snapshot(tmp_path) == before


def test_question_length_limit_is_exact(fake_models: FakeEmbedder, mini_corpus: Path, tmp_path: Path) -> None:
    assistant = load(mini_corpus, tmp_path / "index")
    limit = assistant.settings.max_question_chars
    assert limit == 1000
    question = "Where does Rex live? " + "x" * (limit - len("Where does Rex live? "))
    assert len(question) == limit and not assistant.ask(question).abstained
    with pytest.raises(QuestionError, match="1,001 characters long; the limit is 1,000"):
        assistant.ask(question + "x")


def test_control_characters_odd_unicode_and_markup_in_a_question(fake_models: FakeEmbedder, mini_corpus: Path,
                                                                 tmp_path: Path) -> None:
    assistant = load(mini_corpus, tmp_path / "index")
    odd = "Where\x00 does\u200b Rex\u202e live?\x1b\r\n ｉｎ 🐕 <script>alert(1)</script>"
    answer = assistant.ask(odd)
    assert answer.question == "Where does Rex live? in 🐕 <script>alert(1)</script>"
    assert not answer.abstained and answer.citations[0].doc_id == "dogs"
    assert_verbatim(assistant, mini_corpus, answer)
    step = ui.ChatUI(assistant).ask(odd, [], 5, "baseline")
    html = "".join(m["content"] for m in step.messages) + step.sources
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the corpus -----------------------------------------------------------------------------

ODD = "Zoë’s café\u200b opened in 1999. The owner is \u202eNamor\u202c of Köln. Dogs 🐕 and e\u0301 welcome."


def test_bad_files_are_skipped_by_name_and_the_rest_is_served(fake_models: FakeEmbedder, mini_corpus: Path,
                                                              tmp_path: Path) -> None:
    (mini_corpus / "empty.txt").write_bytes(b"")
    (mini_corpus / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me in M\xfcnchen.".encode("latin-1"))
    (mini_corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with open(mini_corpus / "huge.txt", "wb") as handle:   # 50 MB, sparse: instant to make
        handle.truncate(50 * 2**20)
    (mini_corpus / "cats_again.txt").write_text(MINI["cats.txt"], encoding="utf-8")
    (mini_corpus / "odd.txt").write_text(ODD, encoding="utf-8")
    before = snapshot(mini_corpus)

    assistant = load(mini_corpus, tmp_path / "index")
    assert [d.doc_id for d in assistant.documents] == ["birds", "cats", "dogs", "odd"]
    reasons = {Path(s.source).name: s.reason for s in assistant.skipped}
    assert set(reasons) == {"empty.txt", "latin1.txt", "photo.txt", "huge.txt", "cats_again.txt"}
    assert "empty" in reasons["empty.txt"] and "not UTF-8" in reasons["latin1.txt"]
    assert "binary" in reasons["photo.txt"] and "same text as document 'cats'" in reasons["cats_again.txt"]
    # refused by its size, before reading 50 MB
    assert reasons["huge.txt"] == f"huge.txt is 52.4 MB, over the {MAX_FILE_BYTES // 2**20} MB limit; split it"
    # odd Unicode keeps exact offsets, and the duplicate is indexed once
    for s in assistant.index.sentences:
        assert assistant.document(s.doc_id).text[s.start:s.end] == s.text
    assert sum(s.text == "Tom liked fish." for s in assistant.index.sentences) == 1
    answer = assistant.ask("Who is the owner of the café?")
    assert answer.citations[0].sentence == "The owner is \u202eNamor\u202c of Köln."
    table = ui.ChatUI(assistant).documents_table()
    assert all(name in table for name in reasons) and "Not loaded" in table
    assert snapshot(mini_corpus) == before, "loading never modifies the corpus"


def test_a_missing_or_empty_corpus_folder_stops_with_a_message(fake_models: FakeEmbedder, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load(tmp_path / "nope", tmp_path / "index")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no readable documents .*expected .txt"):
        load(tmp_path / "empty", tmp_path / "index")
    assert not (tmp_path / "index").exists(), "no index is built for nothing"
    pytest.importorskip("gradio", reason="gradio is not installed")
    import app

    assert app.main(["--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "index"),
                     "--history", str(tmp_path / "history" / "c.sqlite3")]) == 1
    assert "Cannot start: corpus not found" in capsys.readouterr().err
    assert not (tmp_path / "history").exists(), "no conversation store for a server that did not start"


@pytest.mark.parametrize("data, message", [
    (b"{ not json", "metadata.json is not valid JSON"), (b"\xff\xfe{}", "metadata.json is not valid JSON"),
    (b'["cats.txt"]', "metadata.json must be a JSON object"), (b"null", "must be a JSON object .* not a NoneType"),
], ids=["not-json", "not-utf8", "a-list", "null"])
def test_a_broken_metadata_file_stops_loading_with_its_name(fake_models: FakeEmbedder, mini_corpus: Path,
                                                            tmp_path: Path, data: bytes, message: str) -> None:
    (mini_corpus / "metadata.json").write_bytes(data)
    with pytest.raises(CorpusError, match=message):
        load(mini_corpus, tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_metadata_values_that_are_not_text_are_ignored(mini_corpus: Path) -> None:
    (mini_corpus / "metadata.json").write_text(json.dumps({
        "cats.txt": {"title": 5, "outlet": ["x"]}, "dogs.txt": "Dogs", "birds.md": {"title": "Parrots", "outlet": None}}))
    docs = load_corpus(mini_corpus).by_id()
    assert (docs["cats"].title, docs["cats"].outlet) == ("cats", "")
    assert docs["dogs"].title == "dogs" and (docs["birds"].title, docs["birds"].outlet) == ("Parrots", "")


def test_upload_while_metadata_is_broken_leaves_no_file(fake_models: FakeEmbedder, mini_corpus: Path,
                                                        tmp_path: Path) -> None:
    assistant = load(mini_corpus, tmp_path / "index")
    (mini_corpus / "metadata.json").write_text("{ broken")
    before = snapshot(tmp_path)
    with pytest.raises(CorpusError, match="metadata.json is not valid JSON"):
        assistant.add_file("zebras.txt", b"Zebras have stripes.")
    assert snapshot(tmp_path) == before


def test_a_jsonl_corpus_refuses_uploads(fake_models: FakeEmbedder, tmp_path: Path) -> None:
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text(json.dumps({"doc_id": "a", "title": "A", "text": "Rex lives in Berlin."}) + "\n")
    assistant = load(corpus, tmp_path / "index")
    before = snapshot(tmp_path)
    with pytest.raises(UploadError, match="uploads need a folder corpus"):
        assistant.add_file("zebras.txt", b"Zebras have stripes.")
    assert snapshot(tmp_path) == before


def test_deleted_and_edited_files_between_runs_are_never_cited(fake_models: FakeEmbedder, mini_corpus: Path,
                                                               tmp_path: Path) -> None:
    index = tmp_path / "index"
    before = load(mini_corpus, index)
    answer = before.ask("Does Rex live in Berlin?")
    assert "Rex lives in Berlin." in [c.sentence for c in answer.citations]

    (mini_corpus / "dogs.txt").write_text("Dogs bark at the postman. Rex moved to Munich in 2023.", encoding="utf-8")
    (mini_corpus / "cats.txt").unlink()
    after = load(mini_corpus, index)
    assert after.report.removed == ["cats"] and after.report.embedded == ["dogs"]
    assert not after.report.rebuilt_because
    for question in ("Does Rex live in Berlin?", "Where did Tom the cat live?", "Tom liked fish.", "Berlin"):
        answer = after.ask(question)
        assert_verbatim(after, mini_corpus, answer)
        cited = " ".join(c.sentence for c in [*answer.citations, *answer.related])
        assert "Berlin" not in cited and "Tom" not in cited


def test_index_follows_a_random_sequence_of_edits(tmp_path: Path) -> None:
    """Twenty rounds of adding, editing, deleting and restoring files: after each, the index holds
    exactly the corpus's sentences, verbatim, and nothing that was removed."""
    rng = random.Random(7)
    words = "cat dog rex tom paris berlin fish bark sleep talk parrot polly born lives moved".split()
    corpus, index = write_corpus(tmp_path / "corpus", MINI), tmp_path / "index"
    for _ in range(20):
        files = sorted(corpus.iterdir())
        action = rng.choice(["add", "edit", "delete"] if len(files) > 1 else ["add", "edit"])
        if action == "add":
            name = f"doc{rng.randrange(6)}.txt"
        else:
            name = rng.choice(files).name
        if action == "delete":
            (corpus / name).unlink()
        else:
            text = ". ".join(" ".join(rng.choices(words, k=rng.randint(2, 6))).capitalize()
                             for _ in range(rng.randint(1, 4))) + "."
            (corpus / name).write_text(text, encoding="utf-8")
        documents = load_corpus(corpus).by_id()
        built, _ = open_fake(corpus, index)
        expected = fake_split(list(documents.values()))
        assert sorted((s.doc_id, s.start, s.end, s.text) for s in built.sentences) == sorted(
            (s.doc_id, s.start, s.end, s.text) for doc in expected.values() for s in doc)
        assert_consistent(index, [corpus])


# --- the stored index ------------------------------------------------------------------------

def _damage(corpus: Path, index: Path, case: str) -> None:
    """Break the index in ``index`` (built from ``corpus``) in one of the DAMAGE ways."""
    if case == "manifest_of_an_older_generation":   # a backup restored after a newer build and a merge
        older = (index / MANIFEST).read_bytes()
        (corpus / "fish.txt").write_text("Fish swim.", encoding="utf-8")
        open_fake(corpus, index)
        assert merge_segments(index, full=True) is not None   # the older segment's files are gone now
        (corpus / "fish.txt").unlink()
        (index / MANIFEST).write_bytes(older)
        return
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    files = manifest["segments"][0]["files"]
    if case == "bit_flip_in_faiss":          # same size, one byte changed
        data = bytearray((index / files["faiss"]).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (index / files["faiss"]).write_bytes(bytes(data))
        return
    if case == "manifest_lacks_a_document":  # files hold birds' rows, the manifest forgot birds
        del manifest["documents"]["birds"]
        manifest["counts"]["documents"] = 2
    elif case == "manifest_lists_an_extra_document":
        manifest["documents"]["ghost"] = {"sha256": "0" * 64, "title": "ghost", "sentences": 2}
    elif case == "document_counts_wrong":    # totals agree, per-document counts do not
        manifest["documents"]["cats"]["sentences"] -= 1
        manifest["documents"]["dogs"]["sentences"] += 1
    elif case == "total_count_wrong":
        manifest["counts"]["sentences"] += 1
    elif case == "checksum_of_another_file":
        manifest["checksums"][files["faiss"]] = manifest["checksums"][files["sentences"]]
    elif case == "another_model_same_name":  # same model name, other weights
        manifest["model"]["sha256"] = "f" * 64
    elif case == "another_models_vectors":   # files from a 32-dim model, manifest and checksums consistent
        import faiss
        import numpy as np

        vectors = np.eye(manifest["counts"]["sentences"], 32, dtype=np.float32)
        other = faiss.IndexFlatIP(32)
        other.add(vectors)
        faiss.write_index(other, str(index / files["faiss"]))
        manifest["checksums"][files["faiss"]] = file_checksum(index / files["faiss"])
    else:
        raise AssertionError(case)
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


DAMAGE = ["bit_flip_in_faiss", "manifest_lacks_a_document", "manifest_lists_an_extra_document",
          "document_counts_wrong", "total_count_wrong", "checksum_of_another_file",
          "manifest_of_an_older_generation", "another_model_same_name", "another_models_vectors"]


@pytest.mark.parametrize("case", DAMAGE)
def test_an_index_that_does_not_match_its_manifest_is_rebuilt_not_served(
        mini_corpus: Path, tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture) -> None:
    index = tmp_path / "index"
    good, _ = open_fake(mini_corpus, index)
    _damage(mini_corpus, index, case)
    embedder = FakeEmbedder()
    with caplog.at_level("WARNING", logger="rag.index"):
        served, report = open_fake(mini_corpus, index, embedder)
    assert report.rebuilt_because and "rebuilding the index" in caplog.text, "detected and reported"
    assert len(embedder.embedded) == 8, "rebuilt from the documents, not from the broken files"
    assert [(s.doc_id, s.text) for s in served.sentences] == [(s.doc_id, s.text) for s in good.sentences]
    assert served.faiss.d == FakeEmbedder.dim
    assert_consistent(index, [mini_corpus])


# --- killed and concurrent builds --------------------------------------------------------------

V2_REBUILD = {   # dogs edited, birds deleted, two files added: the full-rebuild path
    "cats.txt": MINI["cats.txt"],
    "dogs.txt": "Dogs bark at the postman. Rex moved to Munich. He likes it there. He swims in the Isar.",
    "fish.txt": "Fish swim. The fish Wanda lives in a bowl. Wanda is orange.",
    "ants.txt": "Ants carry leaves. The ant Adam lives in Rome.",
}
V2_APPEND = {**MINI, "fish.txt": V2_REBUILD["fish.txt"], "ants.txt": V2_REBUILD["ants.txt"]}   # the append path


def start_worker(corpus: Path, index: Path, delay: float = 0.0, pause_at: str = "",
                 replace: str = "", extra: Sequence[str] = ()) -> subprocess.Popen:
    """tests/index_build_worker.py in its own process, its output (stdout and stderr) on a pipe."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, str(WORKER), str(corpus), str(index), "--delay", str(delay),
                             "--pause-at", pause_at, "--replace", replace, *extra], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def read_until(process: subprocess.Popen, wanted: str) -> list[str]:
    """Lines the worker printed up to and including ``wanted`` (fails with its output if it ends first)."""
    lines: list[str] = []
    while True:
        line = process.stdout.readline()
        if not line:
            process.wait()
            pytest.fail(f"worker ended (code {process.returncode}) before {wanted!r}:\n" + "".join(lines))
        lines.append(line)
        if line.strip() == wanted:
            return lines


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no cleanup handlers, no flushing, the worst a crash or power cut does to a build."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()


def kill_at_random_moment(worker: subprocess.Popen, rng: random.Random, within: float) -> None:
    """Once the worker has started, let it run for a random 0..``within`` seconds, then SIGKILL it
    (or, when it finished first, just close its output)."""
    read_until(worker, "stage start")
    try:
        worker.wait(timeout=rng.uniform(0.0, within))
    except subprocess.TimeoutExpired:
        pass
    if worker.poll() is None:
        kill(worker)
    else:
        worker.stdout.close()


@pytest.fixture
def versions(tmp_path: Path) -> Iterator[tuple[Path, Path, Path, Path]]:
    """(v1 corpus, rebuild v2, append v2, index folder holding v1's index)."""
    v1 = write_corpus(tmp_path / "v1", MINI)
    index = tmp_path / "index"
    open_fake(v1, index)
    yield v1, write_corpus(tmp_path / "v2_rebuild", V2_REBUILD), write_corpus(tmp_path / "v2_append", V2_APPEND), index


def check_after_kill(v1: Path, v2: Path, index: Path) -> Path:
    """The index left by a killed build loads, verifies and is served as is; the next run finishes
    the job, reusing what it can, and leaves only the current generation. Returns what the kill left."""
    left = assert_consistent(index, [v1, v2])
    embedder = FakeEmbedder()
    _, report = open_fake(left, index, embedder)
    assert not report.changed and embedder.embedded == [], "the surviving index is served without re-embedding"
    embedder = FakeEmbedder()
    built, report = open_fake(v2, index, embedder)
    assert not report.rebuilt_because, "an interrupted update resumes from the committed index"
    if left == v1:
        fresh = {d.doc_id for d in load_corpus(v2).documents} - set(report.reused)
        assert set(report.embedded) == fresh and fresh
    assert assert_consistent(index, [v2]) == v2
    assert sorted(p.name for p in index.iterdir() if p.name not in (LOCK, MERGE_LOCK)) == sorted(
        [MANIFEST, *manifest_files(built.manifest)]), "only the committed segments' files are left"
    return left


STAGES = ["start", "embed-0", "embed-2", "sentences-written", "faiss-written", "manifest-written"]


@pytest.mark.parametrize("path", ["rebuild", "append"])
@pytest.mark.parametrize("stage", STAGES)
def test_build_killed_at_each_stage_loses_nothing(versions: tuple[Path, Path, Path, Path], stage: str,
                                                  path: str) -> None:
    v1, rebuild, append, index = versions
    v2 = rebuild if path == "rebuild" else append
    worker = start_worker(v2, index, pause_at=stage)
    read_until(worker, "paused")
    kill(worker)
    left = check_after_kill(v1, v2, index)
    assert left == (v2 if stage == "manifest-written" else v1), "the manifest replace is the commit point"


def test_build_killed_at_random_moments_loses_nothing(versions: tuple[Path, Path, Path, Path]) -> None:
    v1, v2, _, index = versions
    rng = random.Random(20261122)
    for _ in range(4):
        worker = start_worker(v2, index, delay=0.05)
        kill_at_random_moment(worker, rng, 0.5)   # ~8 batches x 0.05 s: most kills land mid-build
        check_after_kill(v1, v2, index)
        open_fake(v1, index)   # back to v1 for the next round


def _segmented(v1: Path, v2: Path, index: Path) -> list[tuple[str, str]]:
    """Bring the index from v1 to v2 without merging (two segments, v1's changed and removed documents
    tombstoned in the first); returns v2's sentences, the content every later state must serve."""
    open_index(load_corpus(v2), FakeEmbedder(), index, fake_split, model_sha256="abc", splitter="fake", merge="off")
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    assert len(manifest["segments"]) == 2 and manifest["segments"][0]["deleted"] == ["birds", "dogs"]
    return sorted((s.doc_id, s.text) for doc in fake_split(load_corpus(v2).documents).values() for s in doc)


def check_after_merge_kill(v2: Path, index: Path, expected: list[tuple[str, str]]) -> None:
    """After a killed merge the index serves v2's sentences as they were, the next open embeds nothing,
    a new merge completes, and no file of the killed merge is left."""
    assert assert_consistent(index, [v2]) == v2
    embedder = FakeEmbedder()
    served, report = open_fake(v2, index, embedder)
    assert not report.changed and not embedder.embedded, "nothing lost: served without re-embedding"
    assert sorted((s.doc_id, s.text) for s in served.sentences) == expected
    merged = merge_segments(index, full=True)
    final = merged if merged is not None else served
    assert sorted((s.doc_id, s.text) for s in final.sentences) == expected and len(final.segments) == 1
    assert assert_consistent(index, [v2]) == v2
    assert sorted(p.name for p in index.iterdir() if p.name not in (LOCK, MERGE_LOCK)) == sorted(
        [MANIFEST, *manifest_files(final.manifest)]), "no merging- or stale file left"


MERGE_STAGES = ["start", "sentences-written", "faiss-written", "merge-renamed", "manifest-written"]


@pytest.mark.parametrize("stage", MERGE_STAGES)
def test_merge_killed_at_each_stage_loses_nothing(versions: tuple[Path, Path, Path, Path], stage: str) -> None:
    """A merge SIGKILLed while writing the merged segment, halfway through renaming it into place, or
    right after its commit: the index is the two segments or the merged one, whole, never a mix."""
    v1, v2, _, index = versions
    expected = _segmented(v1, v2, index)
    worker = start_worker(v2, index, pause_at=stage, extra=["--merge"])
    read_until(worker, "paused")
    kill(worker)
    segments = len(json.loads((index / MANIFEST).read_text(encoding="utf-8"))["segments"])
    assert segments == (1 if stage == "manifest-written" else 2), "the manifest replace is the merge's commit point"
    check_after_merge_kill(v2, index, expected)


def test_updates_and_merges_killed_at_random_moments_lose_nothing(versions: tuple[Path, Path, Path, Path]) -> None:
    """Updates that tombstone and add a segment, then merge inline, and lone merges, each SIGKILLed at
    a random moment among their writes: the index is always one committed state, whole."""
    v1, v2, _, index = versions
    rng = random.Random(20261123)
    for round_ in range(6):
        merge_only = round_ % 2 == 1
        if merge_only:
            expected = _segmented(v1, v2, index)
        worker = start_worker(v2, index, delay=0.02, extra=["--write-delay", "0.05", *(["--merge"] if merge_only else [])])
        kill_at_random_moment(worker, rng, 0.6)
        if merge_only:
            check_after_merge_kill(v2, index, expected)
        else:
            check_after_kill(v1, v2, index)
        open_fake(v1, index)   # back to v1 for the next round


def test_two_builders_at_once_do_not_corrupt_the_index(versions: tuple[Path, Path, Path, Path]) -> None:
    v1, v2, _, index = versions
    first = start_worker(v2, index, delay=0.3)
    read_until(first, "stage embed-0")            # the first builder holds the lock now
    second = start_worker(v2, index, delay=0.3)
    read_until(second, "stage start")             # ... and the second is about to ask for it
    out_first, _ = first.communicate(timeout=120)
    out_second, _ = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, out_first + out_second
    report_first = json.loads(out_first.strip().splitlines()[-1].removeprefix("done "))
    report_second = json.loads(out_second.strip().splitlines()[-1].removeprefix("done "))
    assert sorted(report_first["embedded"]) == ["ants", "dogs", "fish"] and report_first["removed"] == ["birds"]
    assert "stage embed-" not in out_second, "the second builder waited, then reused the first one's work"
    assert report_second["embedded"] == [] and sorted(report_second["reused"]) == ["ants", "cats", "dogs", "fish"]
    assert assert_consistent(index, [v1, v2]) == v2
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(p.name for p in index.glob("*-*.*")) == sorted(manifest_files(manifest))


REPLACE_STAGES = ["start", "replace-before-rename", "replace-renamed", "embed-0", "sentences-written",
                  "faiss-written", "manifest-written"]
CATS_V2 = "Cats sleep all day. A cat named Tom moved to Lyon. Tom now likes cheese. He has a sister."


@pytest.mark.parametrize("stage", REPLACE_STAGES)
def test_replacing_a_document_killed_at_each_stage_leaves_old_or_new(tmp_path: Path, stage: str) -> None:
    """A document replaced from the Documents tab, the process SIGKILLed at each step: the file is
    the old version or the new one (never half), the index is wholly one version's, and the next
    load brings the index to the file on disk, re-embedding only that document."""
    old, new = write_corpus(tmp_path / "old", MINI), write_corpus(tmp_path / "new", {**MINI, "cats.txt": CATS_V2})
    live = write_corpus(tmp_path / "live", MINI)
    index = tmp_path / "index"
    open_fake(live, index)
    upload = tmp_path / "uploads" / "cats_new.txt"
    upload.parent.mkdir()
    upload.write_text(CATS_V2, encoding="utf-8")
    worker = start_worker(live, index, pause_at=stage, replace=f"cats={upload}")
    read_until(worker, "paused")
    kill(worker)
    file_now = (live / "cats.txt").read_text(encoding="utf-8")
    renamed = REPLACE_STAGES.index(stage) >= REPLACE_STAGES.index("replace-renamed")
    assert file_now == (CATS_V2 if renamed else MINI["cats.txt"]), "the rename is the file's commit point"
    assert sorted(p.name for p in live.iterdir() if not p.name.startswith(".")) == sorted(MINI)
    indexed = assert_consistent(index, [old, new])
    assert indexed == (new if stage == "manifest-written" else old), "the manifest is the index's commit point"
    embedder = FakeEmbedder()
    _, report = open_fake(live, index, embedder)
    assert assert_consistent(index, [old, new]) == (new if renamed else old)
    assert report.embedded == (["cats"] if renamed and indexed == old else []) and not report.rebuilt_because


# --- uploads ---------------------------------------------------------------------------------

REJECTED_UPLOADS = [
    ("notes.pdf", b"%PDF-1.4 Rex lives in Berlin.", "notes.pdf is not a readable PDF"),
    ("script.py", b"print('hi')", "only .txt, .md, .html, .htm, .pdf, .docx files"),
    ("setup.exe", b"MZ\x90\x00", "only .txt"),
    ("big.txt", b"Rex. " * (MAX_UPLOAD_BYTES // 5 + 1), "the upload limit is 5 MB"),
    ("../evil.txt", b"Rex lives in Berlin.", "must not contain a path"),
    ("../../../../tmp/evil.txt", b"Rex lives in Berlin.", "must not contain a path"),
    ("/tmp/evil.txt", b"Rex lives in Berlin.", "must not contain a path"),
    ("..\\evil.txt", b"Rex lives in Berlin.", "must not contain a path"),
    ("sub/evil.txt", b"Rex lives in Berlin.", "must not contain a path"),
    ("..", b"Rex lives in Berlin.", "invalid file name"),
    (".hidden.txt", b"Rex lives in Berlin.", "invalid file name"),
    ("", b"Rex lives in Berlin.", "invalid file name"),
    ("a\x00.txt", b"Rex lives in Berlin.", "is not allowed"),
    ("a\nb.txt", b"Rex lives in Berlin.", "is not allowed"),
    ("report\u202eexe.txt", b"Rex lives in Berlin.", "is not allowed"),   # shows as "reporttxt.exe"
    ("x" * 300 + ".txt", b"Rex lives in Berlin.", "at most 255 bytes"),
    (" .txt", b"Rex lives in Berlin.", "is not allowed"),
    ("cats.txt", b"Cats are plotting.", "cats.txt already exists"),
    ("cats.md", b"Cats are plotting.", "a document named 'cats' already exists"),
    ("dogs.TXT", b"Dogs are plotting.", "a document named 'dogs' already exists"),
    ("latin1.txt", "Caf\xe9 in M\xfcnchen.".encode("latin-1"), "not UTF-8"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("empty.txt", b" \n", "empty"),
    ("cats_copy.txt", MINI["cats.txt"].encode(), "same text as document 'cats'"),
]


@pytest.mark.parametrize("name, data, message", REJECTED_UPLOADS, ids=[f"u{i}" for i in range(len(REJECTED_UPLOADS))])
def test_rejected_upload_changes_nothing_anywhere(fake_models: FakeEmbedder, mini_corpus: Path, tmp_path: Path,
                                                  name: str, data: bytes, message: str) -> None:
    assistant = load(mini_corpus, tmp_path / "index")
    before, around = snapshot(tmp_path), sorted(tmp_path.parent.rglob("*"))
    with pytest.raises(UploadError, match=re.escape(message)):
        assistant.add_file(name, data)
    assert snapshot(tmp_path) == before, "corpus and index folders unchanged"
    assert sorted(tmp_path.parent.rglob("*")) == around, "nothing written next to them either"
    assert [d.doc_id for d in assistant.documents] == ["birds", "cats", "dogs"]


@pytest.mark.parametrize("name, data, message", [
    ("setup.exe", b"MZ\x90\x00", "Not added: setup.exe: only .txt"),
    ("big.txt", b"Rex. " * (MAX_UPLOAD_BYTES // 5 + 1), "the upload limit is 5 MB"),
    ("cats.txt", b"Cats are plotting.", "Not added: cats.txt already exists in the corpus"),
    ("cats_copy.txt", MINI["cats.txt"].encode(), "same text as document"),
    ("..", None, "Not added"),                                   # a directory, not a file
], ids=["exe", "oversized", "existing-name", "duplicate-text", "directory"])
def test_rejected_upload_through_the_ui_says_why(fake_models: FakeEmbedder, mini_corpus: Path, tmp_path: Path,
                                                 name: str, data: bytes | None, message: str) -> None:
    chat = ui.ChatUI(load(mini_corpus, tmp_path / "index"))
    uploads = tmp_path / "uploads" / "x"      # where gradio would have put the browser's file
    uploads.mkdir(parents=True)
    if data is not None:
        (uploads / name).write_bytes(data)
    before = snapshot(mini_corpus), snapshot(tmp_path / "index")
    step = chat.upload(str(uploads / name))
    assert "rag-error" in step.status and message in step.status and step.selected is None
    assert (snapshot(mini_corpus), snapshot(tmp_path / "index")) == before
    assert [c[1] for c in step.choices] == ["birds", "cats", "dogs"]


def test_an_upload_interrupted_before_it_is_in_place_leaves_nothing(fake_models: FakeEmbedder, mini_corpus: Path,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between writing the data and linking it into place (KeyboardInterrupt stands in for
    it) leaves no document, whole or partial; a name taken by someone else meanwhile is not touched."""
    assistant = load(mini_corpus, tmp_path / "index")
    before = snapshot(tmp_path)

    def crash(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("rag.corpus.os.link", crash)
    with pytest.raises(KeyboardInterrupt):
        assistant.add_file("zebras.txt", b"Zebras have stripes. " * 1000)
    assert snapshot(tmp_path) == before

    def racer(source: str, target: str) -> None:   # another process saves the same name first
        Path(target).write_text("Theirs.", encoding="utf-8")
        raise FileExistsError(target)

    monkeypatch.setattr("rag.corpus.os.link", racer)
    with pytest.raises(UploadError, match="zebras.txt already exists"):
        assistant.add_file("zebras.txt", b"Zebras have stripes.")
    assert (mini_corpus / "zebras.txt").read_text(encoding="utf-8") == "Theirs.", "the other file is kept"
    assert sorted(p.name for p in mini_corpus.iterdir()) == ["birds.md", "cats.txt", "dogs.txt", "zebras.txt"]


def test_accepted_upload_is_indexed_escaped_and_stays_in_the_corpus(fake_models: FakeEmbedder, mini_corpus: Path,
                                                                    tmp_path: Path) -> None:
    chat = ui.ChatUI(load(mini_corpus, tmp_path / "index"))
    name = f"{XSS}.txt"
    upload = tmp_path / "uploads" / name
    upload.parent.mkdir()
    upload.write_text(f"<script>alert(1)</script> The Zorblax festival is held in Quillfen. {XSS} was here.",
                      encoding="utf-8")
    outside = {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(mini_corpus)}
    step = chat.upload(str(upload))
    assert "rag-ok" in step.status and step.selected == XSS
    assert (mini_corpus / name).read_bytes() == upload.read_bytes()
    assert {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(mini_corpus)} - outside <= {
        p for p in (tmp_path / "index").iterdir()}, "only the corpus file and the index changed"
    html = step.status + step.documents + chat.show_document(XSS)
    html += "".join(m["content"] for m in chat.ask("Where is the Zorblax festival held?", [], 5, "baseline").messages)
    assert "<img" not in html and "<script" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    again = chat.upload(str(upload))
    assert "already exists" in again.status, "the same name twice is refused, not overwritten"


# --- security ----------------------------------------------------------------------------------

def test_server_binds_to_loopback_unless_told_otherwise() -> None:
    pytest.importorskip("gradio", reason="gradio is not installed")
    import app

    assert app.parse_args([]).host == "127.0.0.1"
    assert app.parse_args(["--host", "0.0.0.0"]).host == "0.0.0.0"
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "server_name=args.host" in source and "share=" not in source, "no public share link"


def test_no_pickle_eval_or_unsafe_loading_in_the_code() -> None:
    unsafe = re.compile(r"\bpickle\b|\bcPickle\b|\bjoblib\b|\bshelve\b|\bmarshal\b|(?<![.\w])eval\(|\bexec\(|"
                        r"torch\.load|allow_pickle\s*=\s*True|yaml\.load\(|trust_remote_code\s*=\s*True")
    hits = []
    for path in [*sorted((ROOT / "rag").rglob("*.py")), ROOT / "app.py"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if unsafe.search(code) and not re.search(r"No pickle|no pickle", line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert hits == []


def test_model_files_are_checked_by_sha256_before_loading(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights v1")
    good = hashlib.sha256(b"weights v1").hexdigest()
    verify_file(weights, good)
    weights.write_bytes(b"weights v2")
    with pytest.raises(ModelError, match=f"failed its checksum: expected sha256 {good}, got "
                                         f"{hashlib.sha256(b'weights v2').hexdigest()}"):
        verify_file(weights, good)
    with pytest.raises(ModelError, match="model file missing"):
        verify_file(tmp_path / "nope.safetensors", good)
    from rag.embedding import MiniLMEmbedder

    with pytest.raises(ModelError, match="failed its checksum"):   # before torch is even imported
        MiniLMEmbedder(tmp_path)


# --- the same through a real server (real models: slow) ----------------------------------------

@pytest.mark.slow
def test_bad_input_through_the_running_server_gets_a_message(ui_server: UiServer) -> None:
    """What an API client (or a crafted browser request) can send to /ask: each gets an error
    bubble, never a trace, and the corpus folder of the server is unchanged."""
    gradio_client = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    client = gradio_client.Client(ui_server.url, verbose=False)
    before = snapshot(ui_server.corpus)
    cases = [(None, "empty"), ("", "empty"), ("\x00\x1b\u200b", "empty"), ("?!?", "no words"),
             ("x" * 20_000, "the limit is 1,000")]
    for question, message in cases:
        client.reset_session()
        messages, _, _ = client.submit(question, api_name="/ask").result(timeout=120)
        reply = json.dumps(messages[-1]["content"])
        assert "rag-error" in reply and message in reply and "Traceback" not in reply, (question, reply[:300])
    # settings out of range are refused by gradio's own input checks, before the app runs
    from gradio_client.exceptions import AppError

    for args, message in [((5, "<script>"), "not in the list of choices"), ((0, "baseline"), "less than minimum"),
                          ((11, "baseline"), "greater than maximum")]:
        client.reset_session()
        with pytest.raises(AppError, match=message):
            client.submit("How old is Gaurav Sharma?", *args, api_name="/ask").result(timeout=120)
    client.reset_session()
    messages, _, _ = client.submit("Who is <img src=x onerror=alert(1)> Steph Lewis?", api_name="/ask").result(timeout=120)
    assert "<img" not in json.dumps(messages) and "&lt;img src=x onerror=alert(1)&gt;" in json.dumps(messages)
    assert snapshot(ui_server.corpus) == before


@pytest.mark.slow
def test_the_server_does_not_serve_corpus_or_project_files(ui_server: UiServer) -> None:
    """Gradio serves only its own upload cache: a document, the index or the code by path is refused."""
    import urllib.error
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # loopback, never a proxy
    targets = [next(ui_server.corpus.glob("*.txt")), ROOT / "app.py", Path("/etc/passwd")]
    for target in targets:
        for route in ("gradio_api/file=", "file="):
            url = ui_server.url + route + urllib.parse.quote(str(target))
            try:
                with opener.open(url, timeout=10) as response:
                    status, body = response.status, response.read(200)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, b""
            assert status != 200 or target.read_bytes()[:50] not in body, f"{url} served {target}"
