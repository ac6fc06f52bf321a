"""Speaker photos: turned upright, stripped of metadata, resized; bad files refused clearly."""

import html
import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image, ImageFile

from organisations.models import Membership
from speakers.models import Speaker
from speakers.photos import PhotoRejected, process_photo
from speakers.services import set_speaker_photo
from tests.events.admin_forms import admin_form_data
from tests.factories import MembershipFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

RED = (255, 0, 0)
WHITE = (255, 255, 255)
GPS = ExifTags.IFD.GPSInfo


def french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


NOT_AN_IMAGE = "This file is not an image. Upload a photo in JPEG, PNG or WebP format."
TOO_MANY_PIXELS = (
    "Cette image est trop grande\u00a0: elle compte plus de 25\u00a0millions de pixels. "
    "Réduisez sa taille et envoyez-la de nouveau."
)
TOO_LARGE = "This file is too large (%(size)s MB): a photo may not exceed 10 MB."


def phone_photo() -> bytes:
    """A 400x200 JPEG as a phone stores it: sideways with orientation 6, a red marker in its
    top-left corner, GPS coordinates and XMP."""
    image = Image.new("RGB", (400, 200), WHITE)
    image.paste(RED, (0, 0, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    exif[GPS] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (43.0, 31.0, 42.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (5.0, 26.0, 51.0),
    }
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, xmp=b"<x:xmpmeta>Aix-en-Provence</x:xmpmeta>")
    return output.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces width x height, with a few bytes of pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def stored(field) -> Image.Image:
    with field.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def test_the_test_photo_carries_a_location_and_a_sideways_orientation():
    image = Image.open(io.BytesIO(phone_photo()))

    assert image.getexif()[ExifTags.Base.Orientation] == 6
    assert image.getexif().get_ifd(GPS)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert "xmp" in image.info


def test_a_sideways_phone_photo_is_stored_upright():
    speaker = SpeakerFactory()

    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))

    large = stored(speaker.photo)
    assert large.size == (200, 400)
    # Orientation 6 means "turn 90° clockwise": the top-left corner ends top-right.
    assert large.getpixel((190, 10)) == pytest.approx(RED, abs=8)
    assert large.getpixel((10, 10)) == pytest.approx(WHITE, abs=8)


def test_a_stored_photo_keeps_no_metadata_not_even_its_location():
    speaker = SpeakerFactory()

    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))

    for field in (speaker.photo, speaker.photo_thumbnail):
        image = stored(field)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(GPS) == {}
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert "icc_profile" not in image.info


def test_the_thumbnail_is_a_240_pixel_square():
    speaker = SpeakerFactory()

    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))

    assert stored(speaker.photo_thumbnail).size == (240, 240)


def test_a_large_photo_is_reduced_to_fit_800_pixels():
    photo = process_photo(io.BytesIO(png_bytes(Image.new("RGB", (3000, 1500), RED))))

    assert Image.open(io.BytesIO(photo.large)).size == (800, 400)
    assert Image.open(io.BytesIO(photo.thumbnail)).size == (240, 240)


def test_stored_files_get_random_names():
    first, second = SpeakerFactory(), SpeakerFactory()

    set_speaker_photo(speaker=first, upload=upload(phone_photo(), "camille-durand.jpg"))
    set_speaker_photo(speaker=second, upload=upload(phone_photo(), "camille-durand.jpg"))

    names = {first.photo.name, first.photo_thumbnail.name, second.photo.name}
    assert len(names) == 3
    assert all(name.startswith("speakers/") and name.endswith(".jpg") for name in names)
    assert not any("camille" in name for name in names)


def test_a_png_with_transparency_is_stored_on_white():
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (100, 100, 200, 200))
    speaker = SpeakerFactory()

    set_speaker_photo(speaker=speaker, upload=upload(png_bytes(image), "logo.png"))

    large = stored(speaker.photo)
    assert large.mode == "RGB"
    assert large.getpixel((10, 10)) == pytest.approx(WHITE, abs=8)
    assert large.getpixel((150, 150)) == pytest.approx((0, 0, 255), abs=8)


def test_replacing_a_photo_deletes_the_old_files(django_capture_on_commit_callbacks):
    speaker = SpeakerFactory()
    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))
    old_names = [speaker.photo.name, speaker.photo_thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))

    assert not any(default_storage.exists(name) for name in old_names)
    assert default_storage.exists(speaker.photo.name)
    assert default_storage.exists(speaker.photo_thumbnail.name)


@pytest.mark.parametrize(
    "content",
    [
        b"Programme du colloque\n9h00 accueil\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"\xff\xd8\xff\xe0 only the start of a JPEG",
    ],
    ids=["text", "pdf", "truncated-jpeg"],
)
def test_a_file_that_is_not_an_image_is_refused(content):
    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(content))

    assert str(rejection.value.message) == french(NOT_AN_IMAGE)


def test_a_gif_is_refused_as_an_unaccepted_format():
    output = io.BytesIO()
    Image.new("RGB", (50, 50), RED).save(output, "GIF")

    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(output.getvalue(), "photo.gif"))

    assert str(rejection.value.message) == french(NOT_AN_IMAGE)


def test_a_file_over_10_mb_is_refused():
    content = phone_photo() + b"\x00" * (11 * 1024 * 1024 - len(phone_photo()))

    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(content))

    assert str(rejection.value.message) == french(TOO_LARGE) % {"size": "11,0"}


def test_a_42_megapixel_image_is_refused_without_decoding_it(monkeypatch):
    content = png_bytes(Image.new("1", (7000, 6000), 1))
    assert len(content) < 100_000

    def decode(*args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(content, "poster.png"))

    assert str(rejection.value.message) == TOO_MANY_PIXELS


def test_a_160_kb_png_of_40_megapixels_is_refused_from_its_header(monkeypatch):
    # 8000 x 5000 RGBA: 160 KB on disk, about 1 GB of memory to decode and process.
    content = png_bytes(Image.new("RGBA", (8000, 5000), (200, 30, 30, 255)))
    assert len(content) < 200_000

    def decode(*args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(content, "banner.png"))

    assert str(rejection.value.message) == TOO_MANY_PIXELS


def test_the_pixel_limit_is_the_sites_setting_and_the_message_states_it(settings):
    settings.PHOTO_MAX_PIXELS = 1_500_000
    content = png_bytes(Image.new("RGB", (1300, 1200), RED))

    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(content, "portrait.png"))

    assert str(rejection.value.message) == (
        "Cette image est trop grande\u00a0: elle compte plus de 1,5\u00a0million de pixels. "
        "Réduisez sa taille et envoyez-la de nouveau."
    )
    settings.PHOTO_MAX_PIXELS = 1_560_000
    assert process_photo(upload(content, "portrait.png")).large


def test_a_decompression_bomb_is_refused_with_the_pixel_message():
    # 20 000 x 20 000 is over twice Pillow's own limit: Image.open itself raises.
    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(png_header_only(20_000, 20_000), "bomb.png"))

    assert str(rejection.value.message) == TOO_MANY_PIXELS


def test_pillows_decompression_bomb_warning_is_a_refusal_not_a_500(monkeypatch):
    # Lower Pillow's own limit below ours to reach its warning zone with a small image.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(PhotoRejected) as rejection:
        process_photo(upload(png_bytes(Image.new("RGB", (40, 40), RED)), "small.png"))

    assert str(rejection.value.message) == TOO_MANY_PIXELS


# --- Through the back office -----------------------------------------------------------------


@pytest.fixture
def organiser(client):
    membership = MembershipFactory(role=Membership.Role.ORGANISER)
    user = membership.user
    user.refresh_from_db()  # UserFactory does not save the password it sets
    client.force_login(user)
    return membership


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def speaker_form(client, speaker=None) -> dict:
    url = (
        reverse("admin:speakers_speaker_change", args=[speaker.pk])
        if speaker
        else reverse("admin:speakers_speaker_add")
    )
    return url, admin_form_data(client.get(url))


def test_an_organiser_adds_a_speaker_with_a_photo(client, organiser):
    url, data = speaker_form(client)
    data.update({"name": "Camille Durand", "slug": "camille-durand", "photo_consent": "on"})

    response = client.post(url, {**data, "upload": upload(phone_photo())})

    assert response.status_code == 302
    speaker = Speaker.objects.get(slug="camille-durand")
    assert speaker.organisation == organiser.organisation
    assert stored(speaker.photo).size == (200, 400)
    assert stored(speaker.photo_thumbnail).size == (240, 240)
    changelist = page_of(client.get(reverse("admin:speakers_speaker_changelist")))
    assert speaker.photo_thumbnail.url in changelist


def test_the_admin_refuses_a_text_file_named_photo_jpg_and_saves_nothing(client, organiser):
    url, data = speaker_form(client)
    data.update({"name": "Camille Durand", "slug": "camille-durand"})

    response = client.post(url, {**data, "upload": upload(b"Bonjour, ceci est du texte.")})

    assert response.status_code == 200
    assert french(NOT_AN_IMAGE) in page_of(response)
    assert not Speaker.objects.exists()


def test_the_admin_refuses_an_11_mb_file_and_keeps_the_old_photo(client, organiser):
    speaker = SpeakerFactory(organisation=organiser.organisation, name="Camille Durand")
    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))
    old_name = speaker.photo.name
    url, data = speaker_form(client, speaker)
    data["name"] = "Camille Durand-Martin"

    response = client.post(url, {**data, "upload": upload(b"\xff" * (11 * 1024 * 1024))})

    assert response.status_code == 200
    assert french(TOO_LARGE) % {"size": "11,0"} in page_of(response)
    speaker.refresh_from_db()
    assert speaker.name == "Camille Durand"
    assert speaker.photo.name == old_name


def test_the_admin_refuses_a_42_megapixel_image_and_saves_nothing(client, organiser):
    url, data = speaker_form(client)
    data.update({"name": "Camille Durand", "slug": "camille-durand"})
    poster = png_bytes(Image.new("1", (7000, 6000), 1))

    response = client.post(url, {**data, "upload": upload(poster, "poster.png")})

    assert response.status_code == 200
    assert TOO_MANY_PIXELS in page_of(response)
    assert not Speaker.objects.exists()


def test_the_admin_refuses_a_40_megapixel_png_with_the_stated_limit(client, organiser):
    url, data = speaker_form(client)
    data.update({"name": "Camille Durand", "slug": "camille-durand"})
    banner = png_bytes(Image.new("RGBA", (8000, 5000), (200, 30, 30, 255)))

    response = client.post(url, {**data, "upload": upload(banner, "banner.png")})

    assert response.status_code == 200
    assert TOO_MANY_PIXELS in page_of(response)
    assert not Speaker.objects.exists()


def test_the_admin_replaces_a_photo_and_deletes_the_old_files(
    client, organiser, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory(organisation=organiser.organisation)
    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))
    old_names = [speaker.photo.name, speaker.photo_thumbnail.name]
    url, data = speaker_form(client, speaker)
    square = png_bytes(Image.new("RGB", (500, 500), RED))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "upload": upload(square, "new.png")})

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert stored(speaker.photo).size == (500, 500)
    assert not any(default_storage.exists(name) for name in old_names)


def test_the_admin_removes_a_photo(client, organiser, django_capture_on_commit_callbacks):
    speaker = SpeakerFactory(organisation=organiser.organisation)
    set_speaker_photo(speaker=speaker, upload=upload(phone_photo()))
    old_names = [speaker.photo.name, speaker.photo_thumbnail.name]
    url, data = speaker_form(client, speaker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "remove_photo": "on"})

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert not speaker.photo
    assert not speaker.photo_thumbnail
    assert not any(default_storage.exists(name) for name in old_names)


def test_the_admin_refuses_a_new_photo_and_its_removal_together(client, organiser):
    speaker = SpeakerFactory(organisation=organiser.organisation)
    url, data = speaker_form(client, speaker)

    response = client.post(url, {**data, "remove_photo": "on", "upload": upload(phone_photo())})

    assert response.status_code == 200
    assert french("Either upload a new photo or remove the current one, not both.") in page_of(
        response
    )
    speaker.refresh_from_db()
    assert not speaker.photo
