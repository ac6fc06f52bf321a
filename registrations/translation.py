from modeltranslation.translator import TranslationOptions, register

from registrations.models import TicketType


@register(TicketType)
class TicketTypeTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fr",)
