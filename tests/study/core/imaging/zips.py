"""Zip archives made in code for the import tests, and surgery on their headers: a bad CRC, the
encrypted flag, an unknown compression method, a lying size. Both the local header and the
central directory entry are patched, so every reader sees the same lie."""

import io
import struct
import zipfile

HEADER = (
    "case,image,vignette,reference_diagnosis,accurate_advice,accurate_diagnosis,"
    "inaccurate_advice,inaccurate_diagnosis,training,annotation,displayed_confidence\n"
)
# Offsets of a field in the local file header and in the central directory entry.
_FLAGS = (6, 8)
_METHOD = (8, 10)
_UNCOMPRESSED_SIZE = (22, 24)


def manifest_row(case: str, image: str, annotation: str = "", vignette: str = "A patient.") -> str:
    return (
        f"{case},{image},{vignette},pneumonia,Consolidation.,pneumonia,Clear lungs.,normal,"
        f'false,"{annotation}",\n'
    )


def manifest_record(case: str, image: str, **fields: object) -> dict:
    return {
        "case": case,
        "image": image,
        "vignette": "A patient.",
        "reference_diagnosis": "pneumonia",
        "accurate_advice": "Consolidation.",
        "accurate_diagnosis": "pneumonia",
        "inaccurate_advice": "Clear lungs.",
        "inaccurate_diagnosis": "normal",
        **fields,
    }


def zip_bytes(
    files: dict[str, bytes] | list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    items = files.items() if isinstance(files, dict) else files
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


def _entries(data: bytes) -> dict[str, tuple[int, int]]:
    """Member name -> (local header offset, central directory entry offset)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        locals_ = {info.filename: info.header_offset for info in archive.infolist()}
        start = archive.start_dir
    entries, at = {}, start
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28 : at + 34])
        name = data[at + 46 : at + 46 + name_length].decode()
        entries[name] = (locals_[name], at)
        at += 46 + name_length + extra_length + comment_length
    return entries


def _patch(data: bytes, name: str, offsets: tuple[int, int], fmt: str, value: int) -> bytes:
    patched = bytearray(data)
    local, central = _entries(data)[name]
    struct.pack_into(fmt, patched, local + offsets[0], value)
    struct.pack_into(fmt, patched, central + offsets[1], value)
    return bytes(patched)


def with_bad_crc(data: bytes, name: str) -> bytes:
    """Flip one byte of a (stored) member's contents: its CRC-32 no longer matches."""
    local, _ = _entries(data)[name]
    name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
    start = local + 30 + name_length + extra_length
    patched = bytearray(data)
    patched[start + 200] ^= 0xFF
    return bytes(patched)


def with_encrypted_flag(data: bytes, name: str) -> bytes:
    local, _ = _entries(data)[name]
    flags = struct.unpack("<H", data[local + 6 : local + 8])[0]
    return _patch(data, name, _FLAGS, "<H", flags | 0x1)


def with_method(data: bytes, name: str, method: int) -> bytes:
    return _patch(data, name, _METHOD, "<H", method)


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    return _patch(data, name, _UNCOMPRESSED_SIZE, "<I", size)
