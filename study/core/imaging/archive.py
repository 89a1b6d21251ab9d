"""The case archive: a zip of DICOM files and a manifest, read in memory and never trusted.

The rule: opening refuses an archive that is not usable as a whole (not a zip, too many files, an
oversized directory, unsafe or duplicate names, too much to unpack) with ArchiveError; reading a
member refuses that member with MemberError naming it and saying what is wrong (corrupt, encrypted,
an unknown compression method, too large). Reading is bounded: never more than a member's limit is
decompressed, whatever its header declares. Nothing is extracted to disk."""

from __future__ import annotations

import bz2  # noqa: F401 - zipfile imports it lazily; a broken stream raises OSError from it
import lzma
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

MB = 1024 * 1024
READ_CHUNK = MB
# Methods zipfile decompresses: stored, deflate (what every zip tool writes), bzip2, lzma.
READABLE_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}
_IGNORED_PREFIXES = ("__MACOSX/",)


class ArchiveError(ValueError):
    """The upload is not a usable archive; nothing was imported."""


class MemberError(ValueError):
    """One file of the archive cannot be read; str() is "<member name>: <reason>"."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 5000
    max_member_bytes: int = 512 * MB  # one DICOM file, uncompressed
    max_total_bytes: int = 20 * 1024 * MB
    # The central directory is parsed into one object per entry before anything else: a small
    # upload with millions of tiny entries must be refused before it is parsed.
    max_directory_bytes: int = 8 * MB


def size_text(size: int) -> str:
    """A byte count for a person: '3.1 MB', '512 MB', '900 bytes'."""
    if size < 1024:
        return f"{size} bytes"
    if size < MB:
        return f"{size / 1024:.0f} KB"
    value = size / MB
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f}".removesuffix(".0") + " MB"


def _directory_size(handle: IO[bytes]) -> int | None:
    # zipfile's own end-of-directory reader (zip64 included), so this check reads the archive
    # exactly as ZipFile will; None when there is no end record (ZipFile then says why).
    try:
        end = zipfile._EndRecData(handle)
    except (OSError, ValueError, EOFError):
        return None
    finally:
        handle.seek(0)
    return None if end is None else end[zipfile._ECD_SIZE]


def _name_problem(name: str) -> str | None:
    if "\x00" in name or any(unicodedata.category(c) == "Cc" for c in name):
        return "holds control characters"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[0].isalpha() and name[1] == ":"):
        return "is an absolute path"
    if "\\" in name:
        return "uses backslashes; zip entries separate folders with '/'"
    if ".." in name.split("/"):
        return "climbs out of the archive with '..'"
    return None


class CaseArchive:
    """An opened case archive: `names` maps each member's name (a single top-level folder, as
    made by zipping a directory, is looked through) to its entry."""

    def __init__(self, handle: IO[bytes], limits: ArchiveLimits | None = None) -> None:
        self.limits = limits or ArchiveLimits()
        try:
            handle.seek(0)
            directory = _directory_size(handle)
            if directory is not None and directory > self.limits.max_directory_bytes:
                raise ArchiveError(
                    f"the archive's file list takes {size_text(directory)}; at most "
                    f"{size_text(self.limits.max_directory_bytes)} (about "
                    f"{self.limits.max_members} files) allowed"
                )
            self._zip = zipfile.ZipFile(handle)
        except ArchiveError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
            raise ArchiveError(f"the upload is not a zip archive ({error})") from error
        except NotImplementedError as error:  # e.g. a multi-disk (spanned) archive
            raise ArchiveError(f"the archive cannot be read here ({error})") from error
        try:
            self.names = self._names()
        except ArchiveError:
            self._zip.close()
            raise

    def _names(self) -> dict[str, zipfile.ZipInfo]:
        infos = [
            info
            for info in self._zip.infolist()
            if not info.is_dir() and not info.orig_filename.startswith(_IGNORED_PREFIXES)
        ]
        if len(infos) > self.limits.max_members:
            raise ArchiveError(
                f"the archive holds {len(infos)} files; at most {self.limits.max_members} allowed"
            )
        for info in infos:
            problem = _name_problem(info.orig_filename)
            if problem:
                raise ArchiveError(f"{info.orig_filename!r}: the file name {problem}")
        total = sum(info.file_size for info in infos)
        if total > self.limits.max_total_bytes:
            raise ArchiveError(
                f"the archive unpacks to {size_text(total)}; at most "
                f"{size_text(self.limits.max_total_bytes)} allowed"
            )
        prefixes = {info.filename.split("/", 1)[0] for info in infos if "/" in info.filename}
        strip = ""
        if len(prefixes) == 1 and all("/" in info.filename for info in infos):
            strip = prefixes.pop() + "/"
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename[len(strip) :]
            if name in names:
                # Two entries of one name: which one a reader gets is up to the reader.
                raise ArchiveError(f"{info.filename}: the archive holds two files of this name")
            names[name] = info
        return names

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """The member's bytes, refused with MemberError (never more than `limit` decompressed)."""
        info = self.names[name]
        limit = self.limits.max_member_bytes if limit is None else limit
        if info.flag_bits & 0x1:
            raise MemberError(name, "the file is encrypted; zip it again without a password")
        if info.compress_type not in READABLE_METHODS:
            raise MemberError(
                name,
                f"the file is compressed with method {info.compress_type}, which cannot be "
                "read here; zip it with the usual method (deflate)",
            )
        if info.file_size > limit:
            raise MemberError(
                name,
                f"the file unpacks to {size_text(info.file_size)}; "
                f"at most {size_text(limit)} allowed",
            )
        chunks, received = [], 0
        try:
            with self._zip.open(info) as member:
                # zipfile stops at the declared size and then checks the CRC, so a member that
                # holds more than it declares ends as corrupt; the count below is the backstop.
                while chunk := member.read(READ_CHUNK):
                    received += len(chunk)
                    if received > limit:
                        raise MemberError(name, f"the file unpacks to more than {size_text(limit)}")
                    chunks.append(chunk)
        except MemberError:
            raise
        except zipfile.BadZipFile as error:
            raise MemberError(
                name, f"the file is corrupt ({_zip_reason(error)}); zip it again"
            ) from error
        except (zlib.error, lzma.LZMAError, EOFError, OSError, ValueError) as error:
            raise MemberError(
                name, f"the file is corrupt and cannot be unpacked ({error})"
            ) from error
        except (NotImplementedError, RuntimeError) as error:
            raise MemberError(name, f"the file cannot be unpacked here ({error})") from error
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> CaseArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _zip_reason(error: zipfile.BadZipFile) -> str:
    text = str(error)
    if text.startswith("Bad CRC-32"):
        return "its CRC-32 checksum does not match its contents"
    if text.startswith("Bad magic number"):
        return "its local header is damaged"
    if "Truncated" in text or "truncated" in text:
        return "it is truncated"
    return text
