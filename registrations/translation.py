from modeltranslation.translator import TranslationOptions, register

from registrations.models import Checkpoint, TicketType


@register(TicketType)
class TicketTypeTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fr",)


@register(Checkpoint)
class CheckpointTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr",)
