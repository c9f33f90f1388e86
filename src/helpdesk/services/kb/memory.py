"""Keeping a big index small in memory: build it in a child process and load only the result.

An index build reads every article and makes many short-lived objects (each token's analysis and
terms, word lists, per-article counts) in between the long-lived ones the index keeps (terms,
forms, ids). When the build is over the short-lived ones are freed, but Python hands a block of its
memory back to the system only when nothing in it is alive any more, so a process that built
10,000 articles keeps some 25–30 MB of mostly empty blocks for as long as it runs. Copying the
index afterwards in the same process does not help much: the copy only moves the holes about.

`build_in_child` therefore builds a big index in a short-lived child process (started fresh, not
forked, so that no lock held by one of the server's threads is copied into it), which sends the
finished index back serialised with pickle; the server loads it in one go, densely, and never
sees the build's garbage. The child costs a second or two of start-up, next to a build of half a
minute, and its memory is the system's again when it ends. Should anything go wrong there, the
index is built in this process as before.

The morphology (Morfeusz, loaded once per process and not serialisable) is not copied: the child
loads its own through the factory it is given, and the index refers to it by name (pickle's
persistent ids), so that each process's index uses that process's morphology.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import logging
import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.matcher import KbMatcher, Learned
from helpdesk.services.kb.morphology import Morphology

log = logging.getLogger("helpdesk.kb")

_SHARED = "morphology"


def release_free_memory() -> None:
    """Give memory freed after an index build back to the system where the C library can (glibc's
    malloc_trim): a build reads every article and leaves much of what it read freed but held."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _Pickler(pickle.Pickler):
    """Pickles an index but its morphology, which it writes by name."""

    def __init__(self, file: io.BytesIO, morphology: Morphology) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._morphology = morphology

    def persistent_id(self, obj: object) -> str | None:
        """The name of the morphology; None (pickle it) for anything else."""
        return _SHARED if obj is self._morphology else None


class _Unpickler(pickle.Unpickler):
    """Loads what `_Pickler` wrote, with this process's morphology in its place."""

    def __init__(self, file: io.BytesIO, morphology: Morphology) -> None:
        super().__init__(file)
        self._morphology = morphology

    def persistent_load(self, pid: object) -> Morphology:
        """This process's morphology for its name (nothing else is written by name)."""
        if pid != _SHARED:
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return self._morphology


def dump_index(index: KbMatcher, morphology: Morphology) -> bytes:
    """The index serialised, its morphology written by name."""
    buffer = io.BytesIO()
    _Pickler(buffer, morphology).dump(index)
    return buffer.getvalue()


def load_index(blob: bytes, morphology: Morphology) -> KbMatcher:
    """An index serialised by `dump_index`, using `morphology`."""
    index = _Unpickler(io.BytesIO(blob), morphology).load()
    if not isinstance(index, KbMatcher):
        raise pickle.UnpicklingError(f"not an index: {type(index).__name__}")
    return index


def build_here(articles: Sequence[Article], learned: Learned, morphology: Morphology) -> KbMatcher:
    """The index of `articles` built in this process; the analyses cached while building (words
    questions rarely use) and the memory the build freed are let go afterwards."""
    index = KbMatcher(articles, morphology, learned=learned)
    morphology.forget()
    release_free_memory()
    return index


def _build_blob(
    articles: Sequence[Article], learned: Learned, morphology_factory: Callable[[], Morphology]
) -> bytes:
    """In the child: load the morphology, build the index, send it back serialised."""
    morphology = morphology_factory()
    return dump_index(KbMatcher(articles, morphology, learned=learned), morphology)


def build_in_child(
    articles: Sequence[Article],
    learned: Learned,
    morphology: Morphology,
    morphology_factory: Callable[[], Morphology],
) -> KbMatcher:
    """The index of `articles` built in a fresh child process and loaded here with `morphology`
    (see the module docstring); built here when the child cannot do it."""
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            blob = pool.submit(_build_blob, articles, learned, morphology_factory).result()
        index = load_index(blob, morphology)
    except Exception as err:  # whatever failed there, the build here can still be done (or fails itself)
        log.warning(
            "helpdesk: indeksu bazy wiedzy nie udało się zbudować w osobnym procesie (%s); "
            "buduję go w tym procesie",
            err,
        )
        return build_here(articles, learned, morphology)
    release_free_memory()
    return index
