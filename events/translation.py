from modeltranslation.translator import TranslationOptions, register

from events.models import Event, Room, Session, Track


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "subtitle", "description")
    required_languages = ("fr",)


@register(Room)
class RoomTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr",)


@register(Track)
class TrackTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr",)


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "abstract")
    required_languages = ("fr",)
