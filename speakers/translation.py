from modeltranslation.translator import TranslationOptions, register

from speakers.models import Speaker


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("title", "bio")
