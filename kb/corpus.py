"""The corpus: the report files under the paths the user gave, and nothing else.

Every path that is not taken is reported with its reason: hidden names, links that leave the given
folders, dangling links, pipes, sockets and devices, unreadable folders, unsupported file types.
Symbolic links are resolved; one that leads outside the given roots is refused. Files are read with
a size limit and never through a link swapped in after the walk.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kb.names import safe_id
from kb.readers import READERS

NOT_REPORTS = {"readme", "readme.md", "readme.txt"}


@dataclass(frozen=True)
class CorpusFile:
    path: Path   # as found: what the user sees, and what the document id comes from
    real: Path   # symbolic links resolved: what is read and stored
    link: bool = False


@dataclass(frozen=True)
class Skipped:
    path: str
    status: str   # "skipped" (nothing lost: hidden, a README, a second name of one file) or "failed"
    reason: str


@dataclass
class Corpus:
    files: list[CorpusFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)    # folders walked (their vanished files are removed)
    folders: list[Path] = field(default_factory=list)  # the same folders as the user gave them (for names)
    # (where a refused link leads, its stem): what an earlier version stored when it followed the link
    refused_links: set[tuple[str, str]] = field(default_factory=set)


class FileTooLarge(Exception):
    pass


class NotARegularFile(Exception):
    pass


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(real: Path, roots: list[Path]) -> bool:
    return any(real == r or real.is_relative_to(r) for r in roots)


def collect_files(paths: Iterable[Path]) -> Corpus:
    """The report files under `paths` (folders walked, files taken as given), sorted, each real file once."""
    corpus = Corpus()
    given: list[tuple[Path, Path]] = []
    allowed: list[Path] = []   # links may lead anywhere inside these
    for p in (Path(p) for p in paths):
        try:
            real = p.resolve(strict=True)
        except FileNotFoundError:
            corpus.skipped.append(Skipped(str(p), "failed", "no such file or directory"))
            continue
        except (OSError, RuntimeError) as exc:  # a loop of links, or a folder on the way that cannot be read
            corpus.skipped.append(Skipped(str(p), "failed", f"cannot resolve the path: {_strerror(exc)}"))
            continue
        given.append((p, real))
        if real.is_dir():
            corpus.roots.append(real)
            corpus.folders.append(p)
            allowed.append(real)
        else:
            # A file named on the command line: links from it may not leave the folder it was named in.
            allowed.append(p.absolute().parent.resolve())
    seen: dict[Path, CorpusFile] = {}
    found: list[CorpusFile] = []
    for p, real in given:
        if real.is_dir():
            _walk(p, allowed, corpus, found)
        else:
            _take(p, allowed, corpus, found, explicit=True)
    for f in sorted(found, key=lambda f: (str(f.real), f.link, str(f.path))):
        first = seen.get(f.real)
        if first is None:
            seen[f.real] = f
            corpus.files.append(f)
        elif f.path != first.path:
            corpus.skipped.append(Skipped(str(f.path), "skipped", f"another name of {first.path}"))
    return corpus


def corpus_name(corpus: Corpus, f: CorpusFile) -> str:
    """A file's name relative to the folder it was found in (its file name when named on its own): what
    pages and the API show instead of a path on the server."""
    for folder in corpus.folders:
        if f.path.is_relative_to(folder):
            return f.path.relative_to(folder).as_posix()
    return f.path.name


def _walk(top: Path, allowed: list[Path], corpus: Corpus, found: list[CorpusFile]) -> None:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            corpus.skipped.append(Skipped(str(folder), "failed", f"unreadable folder: {_strerror(exc)}"))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                corpus.skipped.append(Skipped(str(path), "skipped", "hidden (the name starts with a dot)"))
            elif entry.is_symlink():
                _take(path, allowed, corpus, found)
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append(path)
            else:
                _take(path, allowed, corpus, found)
        stack.extend(reversed(subfolders))


def _take(path: Path, allowed: list[Path], corpus: Corpus, found: list[CorpusFile], explicit: bool = False) -> None:
    """Add one file found in the walk (or named by the user), or report why not."""
    def refuse(status: str, reason: str) -> None:
        corpus.skipped.append(Skipped(str(path), status, reason))

    link = path.is_symlink()
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        refuse("failed", f"dangling symbolic link to {os.readlink(path)}")
        return
    except (OSError, RuntimeError) as exc:
        refuse("failed", f"cannot resolve the path: {_strerror(exc)}")
        return
    if not _inside(real, allowed):
        corpus.refused_links.add((str(real), path.stem))
        refuse("failed", f"symbolic link to {real}, outside the folders given; refused")
        return
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        refuse("failed", f"cannot read file: {_strerror(exc)}")
        return
    if stat.S_ISDIR(mode):
        # Folders are walked where they are, never through a link (no loops, no file twice).
        refuse("skipped", f"link to the folder {real}, which is walked where it is" if _inside(real, corpus.roots)
               else f"link to the folder {real}; give the folder itself to ingest it")
        return
    if not stat.S_ISREG(mode):
        refuse("failed", f"{_kind(mode)}, not a regular file")
        return
    if real.name.lower() in NOT_REPORTS and not explicit:
        refuse("skipped", "a README, not a report")
        return
    if real.suffix.lower() not in READERS:
        refuse("failed", f"unsupported file type {real.suffix or '(none)'}")
        return
    found.append(CorpusFile(path=path, real=real, link=link))


def read_bounded(real: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing more than max_bytes, a non-regular file, or a link swapped in since the walk."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFile("became a symbolic link after the folder was read; refused") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"{_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise FileTooLarge(st.st_size)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # it grew while being read
            raise FileTooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)


def assign_id(f: CorpusFile, taken: set[str]) -> str:
    """The file's stem, as always; when another document holds it, the file name (X.html beside X.txt);
    then the stem and a hash of the real path (X.txt in two folders). Control and bidirectional characters
    are replaced (kb/names.py); the store keeps the file's path as it is."""
    stem = safe_id(f.path.stem)
    for candidate in (stem, safe_id(f.path.name)):
        if candidate not in taken:
            return candidate
    digest = hashlib.sha1(str(f.real).encode("utf-8", "surrogateescape")).hexdigest()
    candidate, n = f"{stem}-{digest[:8]}", 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{digest[:8]}-{n}"
    return candidate


def _strerror(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
