"""The case archive reader: whole-archive refusals (ArchiveError) and member refusals
(MemberError) name the file and what is wrong; reading never unpacks more than the limit."""

import io
import zipfile

import pytest

from study.core.imaging.archive import ArchiveError, ArchiveLimits, CaseArchive, MemberError
from tests.study.core.imaging.zips import (
    with_bad_crc,
    with_declared_size,
    with_encrypted_flag,
    with_method,
    zip_bytes,
)

DICOM_LIKE = bytes(range(256)) * 40  # 10 KB, compressible


def _archive(data: bytes, **limits: int) -> CaseArchive:
    return CaseArchive(io.BytesIO(data), ArchiveLimits(**limits))


def _member_error(data: bytes, name: str = "a.dcm", **limits: int) -> str:
    with _archive(data, **limits) as archive, pytest.raises(MemberError) as raised:
        archive.read(name)
    assert raised.value.name == name
    return str(raised.value)


def test_given_a_good_archive_then_members_read_back_and_a_single_folder_is_looked_through():
    data = zip_bytes({"cases/manifest.csv": b"x", "cases/a.dcm": DICOM_LIKE})
    with _archive(data) as archive:
        assert sorted(archive.names) == ["a.dcm", "manifest.csv"]
        assert archive.read("a.dcm") == DICOM_LIKE


def test_given_a_bad_crc_then_the_member_is_refused_by_name():
    data = with_bad_crc(zip_bytes({"a.dcm": DICOM_LIKE}, method=zipfile.ZIP_STORED), "a.dcm")
    assert _member_error(data) == (
        "a.dcm: the file is corrupt (its CRC-32 checksum does not match its contents); zip it again"
    )


def test_given_an_encrypted_member_then_it_is_refused_by_name():
    data = with_encrypted_flag(zip_bytes({"a.dcm": DICOM_LIKE}), "a.dcm")
    assert _member_error(data) == "a.dcm: the file is encrypted; zip it again without a password"


def test_given_an_unknown_compression_method_then_it_is_refused_by_name():
    data = with_method(zip_bytes({"a.dcm": DICOM_LIKE}), "a.dcm", 99)
    assert _member_error(data) == (
        "a.dcm: the file is compressed with method 99, which cannot be read here; "
        "zip it with the usual method (deflate)"
    )


def test_given_a_member_declared_larger_than_the_limit_then_nothing_is_unpacked():
    data = with_declared_size(zip_bytes({"a.dcm": DICOM_LIKE}), "a.dcm", 600 * 1024 * 1024)
    assert _member_error(data, max_member_bytes=512 * 1024 * 1024) == (
        "a.dcm: the file unpacks to 600 MB; at most 512 MB allowed"
    )


def test_given_a_bomb_that_declares_less_than_it_holds_then_reading_stops_at_the_declared_size():
    # 64 MB of zeros deflate to ~64 KB; the header claims 1 KB. zipfile stops at the declared size
    # (and then finds the CRC wrong): the 64 MB are never unpacked.
    bomb = with_declared_size(zip_bytes({"a.dcm": bytes(64 * 1024 * 1024)}), "a.dcm", 1024)
    assert _member_error(bomb).startswith("a.dcm: the file is corrupt")


def test_given_a_limit_then_a_member_over_it_is_refused():
    data = zip_bytes({"manifest.csv": b"x" * 5000})
    with _archive(data) as archive, pytest.raises(MemberError) as raised:
        archive.read("manifest.csv", limit=4096)
    assert str(raised.value) == "manifest.csv: the file unpacks to 5 KB; at most 4 KB allowed"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.dcm", "'../evil.dcm': the file name climbs out of the archive with '..'"),
        (
            "a/../../evil.dcm",
            "'a/../../evil.dcm': the file name climbs out of the archive with '..'",
        ),
        ("/etc/evil.dcm", "'/etc/evil.dcm': the file name is an absolute path"),
        ("C:/evil.dcm", "'C:/evil.dcm': the file name is an absolute path"),
        (
            "images\\evil.dcm",
            "'images\\\\evil.dcm': the file name uses backslashes; zip entries separate folders "
            "with '/'",
        ),
        ("a\x07.dcm", "'a\\x07.dcm': the file name holds control characters"),
    ],
)
def test_given_an_unsafe_name_then_the_archive_is_refused_naming_it(name, message):
    with pytest.raises(ArchiveError) as raised:
        _archive(zip_bytes({"manifest.csv": b"x", name: b"y"}))
    assert str(raised.value) == message


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_given_two_members_of_one_name_then_the_archive_is_refused():
    data = zip_bytes([("manifest.csv", b"x"), ("a.dcm", b"first"), ("a.dcm", b"second")])
    with pytest.raises(ArchiveError) as raised:
        _archive(data)
    assert str(raised.value) == "a.dcm: the archive holds two files of this name"


def test_given_too_many_members_then_the_archive_is_refused():
    data = zip_bytes({f"{index}.dcm": b"" for index in range(11)})
    with pytest.raises(ArchiveError) as raised:
        _archive(data, max_members=10)
    assert str(raised.value) == "the archive holds 11 files; at most 10 allowed"


def test_given_a_huge_file_list_then_it_is_refused_before_it_is_parsed():
    data = zip_bytes({f"{index:05}.dcm": b"" for index in range(3000)})
    with pytest.raises(ArchiveError) as raised:
        _archive(data, max_directory_bytes=64 * 1024)
    assert str(raised.value) == (
        "the archive's file list takes 161 KB; at most 64 KB (about 5000 files) allowed"
    )


def test_given_more_to_unpack_than_the_total_limit_then_the_archive_is_refused():
    data = zip_bytes({"a.dcm": bytes(3000), "b.dcm": bytes(3000)})
    with pytest.raises(ArchiveError) as raised:
        _archive(data, max_total_bytes=5000)
    assert str(raised.value) == "the archive unpacks to 6 KB; at most 5 KB allowed"


@pytest.mark.parametrize("data", [b"", b"PK", b"not a zip at all" * 10])
def test_given_bytes_that_are_no_zip_then_the_archive_is_refused(data):
    with pytest.raises(ArchiveError) as raised:
        CaseArchive(io.BytesIO(data))
    assert str(raised.value).startswith(("the upload is not a zip archive", "the archive"))
