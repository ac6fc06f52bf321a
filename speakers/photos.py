"""Speaker photos: check an upload, then make a clean large version and a square thumbnail.

Pure functions: bytes in, bytes out, nothing stored. Every refusal is a `PhotoRejected` with a
message for the person who uploaded the file. The limits are checked before any pixel is
decoded: the file size first, then the dimensions read from the image's header against
`settings.PHOTO_MAX_PIXELS`. Decoding costs memory in proportion to the pixels, not to the
file: a 160 KB PNG of 40 million pixels took a worker to about 1 GB.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_FILE_SIZE = 10 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
LARGE_SIZE = (800, 800)
THUMBNAIL_SIZE = (240, 240)
JPEG_QUALITY = 85

NOT_AN_IMAGE = _("This file is not an image. Upload a photo in JPEG, PNG or WebP format.")


def too_many_pixels() -> str:
    millions = settings.PHOTO_MAX_PIXELS / 1_000_000
    millions = int(millions) if millions == int(millions) else round(millions, 1)
    return ngettext(
        "This image is too large: it has more than %(limit)s million pixel. "
        "Reduce its size and upload it again.",
        "This image is too large: it has more than %(limit)s million pixels. "
        "Reduce its size and upload it again.",
        int(millions),
    ) % {"limit": number_format(millions)}


class PhotoRejected(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProcessedPhoto:
    """JPEG bytes without any metadata."""

    large: bytes
    thumbnail: bytes


def process_photo(upload) -> ProcessedPhoto:
    """Check `upload` (a file object) and return its large version and thumbnail.

    Raises PhotoRejected for a file over 10 MB, a file Pillow cannot read as a JPEG, PNG or
    WebP image, or an image of more than PHOTO_MAX_PIXELS pixels (read from its header)."""
    check_file_size(upload)
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; make it an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRejected(too_many_pixels()) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise PhotoRejected(NOT_AN_IMAGE) from error
        with image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(NOT_AN_IMAGE)
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise PhotoRejected(too_many_pixels())
            try:
                return _render(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
                raise PhotoRejected(too_many_pixels()) from error
            except (OSError, SyntaxError, ValueError, EOFError) as error:
                # Truncated or corrupt pixel data behind a valid header.
                raise PhotoRejected(NOT_AN_IMAGE) from error


def check_file_size(upload) -> None:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_FILE_SIZE:
        raise PhotoRejected(
            _("This file is too large (%(size)s MB): a photo may not exceed 10 MB.")
            % {"size": number_format(size / (1024 * 1024), 1)}
        )


def _render(image: Image.Image) -> ProcessedPhoto:
    # A large JPEG can be decoded at a fraction of its size, which is all we keep.
    image.draft("RGB", (LARGE_SIZE[0] * 2, LARGE_SIZE[1] * 2))
    image.load()
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image, icc_profile)
    large = image.copy()
    large.thumbnail(LARGE_SIZE, Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(image, THUMBNAIL_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return ProcessedPhoto(large=_jpeg_bytes(large), thumbnail=_jpeg_bytes(thumbnail))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """An RGB image in sRGB; transparency becomes white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image).convert("RGB")
    if icc_profile and image.mode in ("RGB", "CMYK", "L"):
        # An unusable profile leaves the pixels as they are.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _jpeg_bytes(image: Image.Image) -> bytes:
    # A fresh image carries no metadata at all: no EXIF (GPS), XMP, ICC or comments.
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    output = io.BytesIO()
    clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return output.getvalue()
