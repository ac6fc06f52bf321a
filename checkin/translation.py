from modeltranslation.translator import TranslationOptions, register

from checkin.models import Checkpoint


@register(Checkpoint)
class CheckpointTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr",)
