"""8-bit greyscale (and RGB) arrays to PNG bytes, written directly: deterministic and about 3x
faster than Pillow's encoder on radiographs.

Every row uses PNG filter type 2 ("Up", the difference to the row above), then zlib level 1 with
the run-length strategy. Radiographs change slowly from row to row, so the differences are small
and repetitive; this beat Pillow's adaptive filtering at compress_level=1 in both time and size
on pydicom-data's RG1 (1.30 MB against 1.57 MB). No text, time or gamma chunks are written, so
the bytes carry no metadata and depend only on the pixels.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILTER_UP = 2
ZLIB_LEVEL = 1


def _chunk(kind: bytes, payload: bytes) -> bytes:
    checksum = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)


def filtered_scanlines(grey: np.ndarray) -> bytes:
    """The image's PNG scanlines, each prefixed by its filter byte (Up; row 0 is unfiltered)."""
    height, width = grey.shape
    lines = np.empty((height, width + 1), dtype=np.uint8)
    lines[:, 0] = FILTER_UP
    lines[0, 1:] = grey[0]  # Up against the implicit all-zero row above is the row itself
    np.subtract(grey[1:], grey[:-1], out=lines[1:, 1:])  # uint8 arithmetic wraps mod 256
    return lines.tobytes()


def _png(rows: np.ndarray, *, width: int, colour_type: int) -> bytes:
    # `rows` is one row of bytes per scanline; Up works bytewise, so any 8-bit layout fits.
    compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_RLE)
    # zlib releases the GIL while it compresses, so presets can be encoded on parallel threads.
    data = compressor.compress(filtered_scanlines(rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, rows.shape[0], 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def png_bytes(grey: np.ndarray) -> bytes:
    """A greyscale 8-bit PNG of a 2-D uint8 array."""
    if grey.dtype != np.uint8 or grey.ndim != 2:
        raise ValueError(f"expected a 2-D uint8 array, got {grey.dtype} with shape {grey.shape}")
    return _png(grey, width=grey.shape[1], colour_type=0)


def png_rgb_bytes(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of a (height, width, 3) uint8 array."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (h, w, 3) uint8 array, got {rgb.dtype} {rgb.shape}")
    height, width, _ = rgb.shape
    return _png(np.ascontiguousarray(rgb).reshape(height, width * 3), width=width, colour_type=2)
