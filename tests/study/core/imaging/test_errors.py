"""Bad uploads: each class gets its documented DicomError code and exact message, and corrupted
files (fuzzed with hypothesis) never raise anything else."""

from __future__ import annotations

import io
import pickle
import random
import struct
from collections import Counter
from pathlib import Path

import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pydicom import uid
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate

from study.core.imaging import ERROR_CODES, DicomError, ProcessedImage, dicom_process
from tests.study.dicom_factory import dataset_bytes, modified, synthetic_chest_dicom

SECRET = b"test-secret-test-secret-test-secret"
GREYSCALE_ONLY = "only greyscale MONOCHROME1/MONOCHROME2 images are accepted"


def real(name: str) -> bytes:
    return Path(get_testdata_file(name)).read_bytes()


def with_transfer_syntax(transfer_syntax: str) -> bytes:
    dataset = pydicom.dcmread(io.BytesIO(synthetic_chest_dicom()))
    dataset.PixelData = encapsulate([dataset.PixelData])
    dataset.file_meta.TransferSyntaxUID = transfer_syntax
    return dataset_bytes(dataset)


def float_pixels() -> bytes:
    dataset = pydicom.dcmread(io.BytesIO(synthetic_chest_dicom()))
    del dataset.PixelData
    dataset.FloatPixelData = b"\x00" * 16
    return dataset_bytes(dataset)


def jpeg_claiming(*, width: int, height: int) -> bytes:
    """A 64 x 64 greyscale JPEG Baseline DICOM whose frame header claims width x height."""
    dataset = pydicom.dcmread(io.BytesIO(synthetic_chest_dicom(rows=64, columns=64, bits_stored=8)))
    frame = io.BytesIO()
    Image.fromarray(dataset.pixel_array, mode="L").save(frame, format="JPEG")
    codestream = bytearray(frame.getvalue())
    sof = codestream.index(b"\xff\xc0")
    codestream[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    dataset.PixelData = encapsulate([bytes(codestream)])
    dataset["PixelData"].VR = "OB"
    dataset.file_meta.TransferSyntaxUID = uid.JPEGBaseline8Bit
    return dataset_bytes(dataset)


SYNTHETIC = synthetic_chest_dicom()  # 420 x 512, 12 bits stored in 16, CR, MONOCHROME2

CASES = [
    # (id, upload, allowed modalities, code, reason)
    ("text", lambda: b"hello, not an image", None, "not_dicom",
     "not a DICOM file (no 'DICM' marker at byte 128)"),
    ("no-part10-header", lambda: real("no_meta.dcm"), None, "not_dicom",
     "not a DICOM file (no 'DICM' marker at byte 128)"),
    ("deflated", lambda: real("image_dfl.dcm"), ("OT",), "unsupported_transfer_syntax",
     "unsupported transfer syntax Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99)"),
    ("mpeg2", lambda: with_transfer_syntax(uid.MPEG2MPML), None, "unsupported_transfer_syntax",
     "unsupported transfer syntax MPEG2 Main Profile / Main Level (1.2.840.10008.1.2.4.100)"),
    ("unknown-syntax", lambda: with_transfer_syntax("1.2.3.4"), None,
     "unsupported_transfer_syntax", "unsupported transfer syntax 1.2.3.4"),
    ("meta-cut", lambda: SYNTHETIC[:200], None, "truncated",
     "the file is truncated (it ends inside its file meta information after 200 bytes)"),
    ("header-cut", lambda: SYNTHETIC[:1000], None, "truncated",
     "the file is truncated (it ends inside an attribute after 1000 bytes)"),
    ("pixels-cut", lambda: SYNTHETIC[:-1000], None, "truncated",
     "pixel data is truncated (429080 bytes, 430080 expected for 420 x 512 pixels)"),
    ("real-truncated", lambda: real("MR_truncated.dcm"), ("MR",), "truncated",
     "pixel data is truncated (8130 bytes, 8192 expected for 64 x 64 pixels)"),
    ("compressed-cut",
     lambda: synthetic_chest_dicom(transfer_syntax=uid.RLELossless)[:5000], None, "truncated",
     "the file is truncated (it ends inside an attribute after 5000 bytes)"),
    ("structured-report", lambda: real("test-SR.dcm"), ("SR",), "no_pixel_data",
     "no pixel data (the file holds no image)"),
    ("pixel-data-removed", lambda: modified(SYNTHETIC, PixelData=None), None, "no_pixel_data",
     "no pixel data (the file holds no image)"),
    ("float-pixels", float_pixels, None, "unsupported_pixel_format",
     "floating-point pixel data is not supported"),
    ("mr", lambda: real("MR_small.dcm"), None, "wrong_modality",
     "modality MR is not accepted (accepted: CR, DX)"),
    ("ct", lambda: real("CT_small.dcm"), None, "wrong_modality",
     "modality CT is not accepted (accepted: CR, DX)"),
    ("ultrasound", lambda: real("US1_UNCR.dcm"), None, "wrong_modality",
     "modality US is not accepted (accepted: CR, DX)"),
    ("dx-when-only-cr", lambda: synthetic_chest_dicom(modality="DX"), ("CR",), "wrong_modality",
     "modality DX is not accepted (accepted: CR)"),
    ("no-modality", lambda: modified(SYNTHETIC, Modality=None), None, "wrong_modality",
     "Modality is missing (accepted: CR, DX)"),
    ("real-multi-frame", lambda: real("emri_small.dcm"), ("MR",), "multi_frame",
     "multi-frame image (10 frames); only single-frame radiographs are accepted"),
    ("multi-frame", lambda: modified(SYNTHETIC, NumberOfFrames=2), None, "multi_frame",
     "multi-frame image (2 frames); only single-frame radiographs are accepted"),
    ("rgb", lambda: real("US1_UNCR.dcm"), ("US",), "colour",
     f"colour image (PhotometricInterpretation RGB, SamplesPerPixel 3); {GREYSCALE_ONLY}"),
    ("ybr-jpeg", lambda: real("SC_rgb_jpeg_dcmtk.dcm"), ("OT",), "colour",
     f"colour image (PhotometricInterpretation YBR_FULL, SamplesPerPixel 3); {GREYSCALE_ONLY}"),
    ("palette", lambda: real("OBXXXX1A.dcm"), ("US",), "colour",
     f"colour image (PhotometricInterpretation PALETTE COLOR, SamplesPerPixel 1); "
     f"{GREYSCALE_ONLY}"),
    ("rows-over-limit", lambda: modified(SYNTHETIC, Rows=8193), None, "too_large",
     "image of 420 x 8193 pixels exceeds the limit of 8192 pixels per side and 50 megapixels"),
    ("megapixels-over-limit", lambda: modified(SYNTHETIC, Rows=8000, Columns=8000), None,
     "too_large",
     "image of 8000 x 8000 pixels exceeds the limit of 8192 pixels per side and 50 megapixels"),
    ("zero-rows", lambda: modified(SYNTHETIC, Rows=0), None, "invalid_attributes",
     "image size 420 x 0 pixels is empty"),
    ("no-rows", lambda: modified(SYNTHETIC, Rows=None), None, "invalid_attributes",
     "Rows is missing"),
    ("no-sop-class", lambda: modified(SYNTHETIC, SOPClassUID=None), None,
     "invalid_attributes", "SOPClassUID is missing"),
    ("no-photometric", lambda: modified(SYNTHETIC, PhotometricInterpretation=None), None,
     "invalid_attributes", "PhotometricInterpretation is missing"),
    ("bits-stored-too-many", lambda: modified(SYNTHETIC, BitsStored=17), None,
     "invalid_attributes", "BitsStored 17 does not fit BitsAllocated 16"),
    ("pixel-representation", lambda: modified(SYNTHETIC, PixelRepresentation=2), None,
     "invalid_attributes", "PixelRepresentation 2 is not 0 or 1"),
    ("32-bit", lambda: real("rtdose_1frame.dcm"), ("RTDOSE",), "unsupported_pixel_format",
     "BitsAllocated 32 is not supported (only 8 or 16)"),
    ("1-bit", lambda: real("liver_1frame.dcm"), ("SEG",), "unsupported_pixel_format",
     "BitsAllocated 1 is not supported (only 8 or 16)"),
    ("jpeg-bomb", lambda: jpeg_claiming(width=60000, height=60000), None, "undecodable",
     "the compressed frame is 60000 x 60000 pixels but Columns/Rows say 64 x 64"),
    ("jpeg2000-size-mismatch",
     lambda: modified(synthetic_chest_dicom(transfer_syntax=uid.JPEG2000Lossless), Rows=100),
     None, "undecodable",
     "the compressed frame is 420 x 512 pixels but Columns/Rows say 420 x 100"),
    ("burned-in", lambda: synthetic_chest_dicom(burned_in="YES"), None, "burned_in_annotation",
     "BurnedInAnnotation is YES (identifying text may be burned into the pixels); remove the "
     "annotation at the source and export again"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("upload", "modalities", "code", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_upload_gets_its_documented_error(upload, modalities, code, reason):
    # given a bad file, when processed
    with pytest.raises(DicomError) as caught:
        dicom_process(
            upload(),
            filename="scan 7.dcm",
            uid_secret=SECRET,
            allowed_modalities=modalities or ("CR", "DX"),
        )
    # then the error names the file, the documented code and the exact reason
    error = caught.value
    assert (error.filename, error.code, error.reason) == ("scan 7.dcm", code, reason)
    assert str(error) == f"scan 7.dcm: {reason}"


def test_every_documented_code_is_exercised():
    exercised = {case[3] for case in CASES}
    assert exercised == set(ERROR_CODES)


def test_undecodable_pixel_data_is_reported_with_the_decoder_message():
    # JPEG-lossy.dcm is a known-bad JPEG Extended stream that no installed decoder accepts
    with pytest.raises(DicomError) as caught:
        dicom_process(
            real("JPEG-lossy.dcm"), filename="x.dcm", uid_secret=SECRET, allowed_modalities=("NM",)
        )
    assert caught.value.code == "undecodable"
    assert caught.value.reason.startswith(
        "pixel data could not be decoded (JPEG Extended (Process 2 and 4)): "
    )


def test_dicom_error_is_a_value_error_and_survives_pickling():
    error = DicomError(filename="a.dcm", code="colour", reason="colour image")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.filename, copy.code, copy.reason, str(copy)) == (
        "a.dcm",
        "colour",
        "colour image",
        "a.dcm: colour image",
    )


def test_unknown_error_code_is_a_programming_error():
    with pytest.raises(KeyError):
        DicomError(filename="a.dcm", code="bad", reason="x")


@pytest.mark.parametrize(
    ("kwargs", "exception", "message"),
    [
        ({"uid_secret": b"short"}, ValueError, "uid_secret must be at least 16 bytes"),
        ({"allowed_modalities": ()}, ValueError, "allowed_modalities is empty"),
        ({"data": "text"}, TypeError, "data must be bytes, not str"),
    ],
)
def test_bad_arguments_are_programming_errors_not_dicom_errors(kwargs, exception, message):
    arguments = {"data": SYNTHETIC, "filename": "a.dcm", "uid_secret": SECRET, **kwargs}
    with pytest.raises(exception) as caught:
        dicom_process(arguments.pop("data"), **{k: v for k, v in arguments.items() if k != "data"})
    assert not isinstance(caught.value, DicomError)
    assert str(caught.value) == message


# --- fuzzing: random corruption never escapes as anything but DicomError ---

SMALL = {
    "native": synthetic_chest_dicom(rows=48, columns=40, seed=1),
    "rle": synthetic_chest_dicom(rows=48, columns=40, seed=1, transfer_syntax=uid.RLELossless),
    "jpeg2000": synthetic_chest_dicom(
        rows=48, columns=40, seed=1, transfer_syntax=uid.JPEG2000Lossless
    ),
    "implicit": synthetic_chest_dicom(
        rows=48, columns=40, seed=1, transfer_syntax=uid.ImplicitVRLittleEndian
    ),
}


def assert_processed_or_documented_error(data: bytes) -> None:
    try:
        result = dicom_process(data, filename="fuzz.dcm", uid_secret=SECRET)
    except DicomError as error:
        # A fuzzed file may be accepted or refused: pytest.raises cannot say "if it raises".
        assert error.code in ERROR_CODES  # noqa: PT017
        assert str(error).startswith("fuzz.dcm: ")  # noqa: PT017
    else:
        assert isinstance(result, ProcessedImage)


@st.composite
def corrupted(draw) -> bytes:
    data = bytearray(SMALL[draw(st.sampled_from(sorted(SMALL)))])
    # Most bytes are pixels; aim half of the flips at the header, where parsing decisions live.
    header_end = min(len(data), 1200)
    flips = draw(
        st.lists(
            st.tuples(
                st.one_of(st.integers(0, header_end - 1), st.integers(0, len(data) - 1)),
                st.integers(0, 255),
            ),
            min_size=1,
            max_size=8,
        )
    )
    for position, value in flips:
        data[position] = value
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns about every corrupt value
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=corrupted())
def test_corrupted_files_raise_only_dicom_error(data):
    assert_processed_or_documented_error(data)


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=50, deadline=None, derandomize=True)
@given(body=st.binary(max_size=600))
def test_random_bytes_behind_a_dicom_marker_raise_only_dicom_error(body):
    assert_processed_or_documented_error(b"\x00" * 128 + b"DICM" + body)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_corruptions_reach_many_checks_not_only_the_safety_net():
    # guards the fuzz tests against passing because every input fails in one trivial way
    rng = random.Random(7)
    outcomes = Counter()
    for _ in range(120):
        data = bytearray(SMALL[rng.choice(sorted(SMALL))])
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(min(len(data), 1200))] = rng.randrange(256)
        try:
            dicom_process(bytes(data), filename="fuzz.dcm", uid_secret=SECRET)
        except DicomError as error:
            outcomes[error.code] += 1
        else:
            outcomes["processed"] += 1
    # flips in length fields mostly read as truncation, flips in the meta UID as a bad syntax
    assert outcomes["processed"] >= 10, outcomes
    assert outcomes["truncated"] >= 10, outcomes
    assert outcomes["unsupported_transfer_syntax"] >= 5, outcomes
    assert outcomes["undecodable"] <= 12, outcomes  # the catch-all stays the exception


def test_given_an_rle_stream_that_makes_the_rust_decoder_panic_then_it_is_a_dicom_error():
    # Found by the fuzz test in CI: pylibjpeg-rle panics (pyo3's PanicException is a
    # BaseException, not an Exception) on these three corrupted bytes near the end.
    data = bytearray(synthetic_chest_dicom(transfer_syntax=uid.RLELossless, seed=1))
    for offset_from_end, value in ((1839, 171), (654, 128), (586, 6)):
        data[len(data) - offset_from_end] = value

    with pytest.raises(DicomError) as raised:
        dicom_process(bytes(data), filename="panic.dcm", uid_secret=b"k" * 32)

    assert raised.value.code == "undecodable"
    assert str(raised.value).startswith(
        "panic.dcm: pixel data could not be decoded (RLE Lossless): index out of bounds"
    )
