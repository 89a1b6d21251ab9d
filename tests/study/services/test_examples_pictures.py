"""study.core.imaging.pictures: a PNG or JPEG keeps its pixels and nothing else (no EXIF, no
text chunks), greyscale stays grey, and anything else is refused naming the file."""

import io

import pytest
from PIL import Image, PngImagePlugin

from study.core.imaging import PREVIEW_HEIGHT
from study.core.imaging.pictures import PictureError, picture_process

SECRET = "Patient Jane Doe 1970-01-01"


def _jpeg_with_exif(size=(300, 200), colour=(120, 60, 30), orientation: int | None = None):
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x013B] = SECRET  # Artist
    if orientation is not None:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_given_a_jpeg_with_exif_then_no_metadata_survives():
    data = _jpeg_with_exif()
    assert SECRET.encode() in data  # the premise: the upload carries it
    assert Image.open(io.BytesIO(data)).getexif()
    picture = picture_process(data, filename="photo.jpg")
    for output in (picture.display_png, picture.preview_webp):
        assert SECRET.encode() not in output
        reopened = Image.open(io.BytesIO(output))
        assert dict(reopened.getexif()) == {}
        assert "exif" not in reopened.info
        assert "icc_profile" not in reopened.info
    display = Image.open(io.BytesIO(picture.display_png))
    assert (display.format, display.mode, display.size) == ("PNG", "RGB", (300, 200))


def test_given_an_orientation_tag_then_the_picture_is_turned_upright_before_it_goes():
    picture = picture_process(_jpeg_with_exif(orientation=6), filename="rotated.jpg")
    assert (picture.width, picture.height) == (200, 300)


def test_given_a_png_with_text_chunks_then_they_are_dropped_and_grey_stays_grey():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 2000), (77, 77, 77)).save(buffer, format="PNG", pnginfo=info)
    picture = picture_process(buffer.getvalue(), filename="grey.png")
    assert SECRET.encode() not in picture.display_png
    display = Image.open(io.BytesIO(picture.display_png))
    assert display.mode == "L"
    assert display.text == {}
    assert display.getpixel((10, 10)) == 77
    preview = Image.open(io.BytesIO(picture.preview_webp))
    assert preview.size == (round(64 * PREVIEW_HEIGHT / 2000), PREVIEW_HEIGHT)


def test_given_a_16_bit_png_then_it_becomes_8_bit_grey():
    buffer = io.BytesIO()
    Image.new("I;16", (10, 10), 4000).save(buffer, format="PNG")
    display = Image.open(
        io.BytesIO(picture_process(buffer.getvalue(), filename="d.png").display_png)
    )
    assert display.mode == "L"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text", "notes.txt: not a PNG or JPEG image (the file could not be read)"),
        (None, "notes.txt: a GIF image; upload a PNG or JPEG (or DICOM)"),
    ],
    ids=["text", "gif"],
)
def test_given_a_non_image_or_another_format_then_it_is_refused_naming_the_file(data, message):
    if data is None:
        buffer = io.BytesIO()
        Image.new("L", (8, 8)).save(buffer, format="GIF")
        data = buffer.getvalue()
    with pytest.raises(PictureError) as refusal:
        picture_process(data, filename="notes.txt")
    assert str(refusal.value) == message


def test_given_a_truncated_jpeg_then_it_is_refused_as_corrupt():
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 50).convert("RGB").save(buffer, format="JPEG")
    with pytest.raises(PictureError) as refusal:
        picture_process(buffer.getvalue()[:2000], filename="cut.jpg")
    assert str(refusal.value).startswith("cut.jpg: the image is corrupt and could not be read")


def test_given_a_decompression_bomb_then_it_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # a few KB, 81 megapixels
    with pytest.raises(PictureError) as refusal:
        picture_process(buffer.getvalue(), filename="bomb.png")
    assert str(refusal.value) == (
        "bomb.png: the image of 9000 x 9000 pixels exceeds the limit of 8192 pixels per side "
        "and 50 megapixels"
    )
