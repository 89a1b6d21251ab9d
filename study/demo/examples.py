"""Example images for the demo's example library: PNGs derived in code from the RG1 chest
radiograph (a different crop, orientation and contrast for each), demo material like the cases.

Nothing in the pixels or the bytes names the diagnosis; the library links each image to its
diagnosis in the database only.
"""

import hashlib
import io
from functools import cache

import numpy as np
from PIL import Image, ImageOps

from study.core.imaging.samples import rg1_variant

EXAMPLES_PER_DIAGNOSIS = 2
_SIDE = 768  # long side of an example, in pixels


@cache
def _rg1_pixels() -> np.ndarray:
    """RG1 as 8-bit grey values (its 16-bit pixels scaled to their range)."""
    import pydicom

    dataset = pydicom.dcmread(io.BytesIO(rg1_variant("original")))
    pixels = dataset.pixel_array.astype(np.float64)
    low, high = np.percentile(pixels, (1, 99))
    scaled = np.clip((pixels - low) / max(high - low, 1.0), 0.0, 1.0) * 255.0
    return scaled.astype(np.uint8)


def example_png(diagnosis: str, index: int) -> bytes:
    """One example image as PNG bytes: deterministic per (diagnosis, index), different for each."""
    digest = hashlib.sha256(f"{diagnosis}:{index}".encode()).digest()
    pixels = _rg1_pixels()
    rows, cols = pixels.shape
    # A crop of 70-90 % of the image at an offset taken from the digest.
    fraction = 0.7 + digest[0] / 255 * 0.2
    height, width = int(rows * fraction), int(cols * fraction)
    top = int((rows - height) * digest[1] / 255)
    left = int((cols - width) * digest[2] / 255)
    image = Image.fromarray(pixels[top : top + height, left : left + width])
    if digest[3] % 2:
        image = ImageOps.mirror(image)
    gamma = 0.8 + digest[4] / 255 * 0.4
    image = image.point(lambda value: int(255 * (value / 255) ** gamma))
    image.thumbnail((_SIDE, _SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
