from django.core.management.base import BaseCommand

from events.demo import load_demo


class Command(BaseCommand):
    help = (
        "Crée les deux événements de démonstration (colloque « Protection sociale et "
        "territoires », cérémonie des vœux de la FHF PACA) ou leur rend leur contenu de "
        "démonstration. Peut être relancée sans créer de doublons."
    )

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Événements de démonstration prêts : {summary.events} événements, "
                f"{summary.sessions} sessions, {summary.speakers} intervenants."
            )
        )
