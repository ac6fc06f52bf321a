from django.core.management.base import BaseCommand

from events.demo import load_demo
from registrations.demo import load_registrations_demo


class Command(BaseCommand):
    help = (
        "Crée les deux événements de démonstration (colloque «\u00a0Protection sociale et "
        "territoires\u00a0», cérémonie des vœux de la FHF PACA) ou leur rend leur contenu de "
        "démonstration. Peut être relancée sans créer de doublons."
    )

    def handle(self, *args, **options):
        summary = load_demo()
        registrations = load_registrations_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Événements de démonstration prêts\u00a0: {summary.events} événements, "
                f"{summary.sessions} sessions, {summary.speakers} intervenants, "
                f"{registrations['ticket_types']} types de billet, "
                f"{registrations['registrations']} inscriptions, "
                f"{registrations['invitations']} invitations."
            )
        )
