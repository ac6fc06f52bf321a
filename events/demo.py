"""The two demonstration events, as data, and the function that loads them.

`load_demo()` is what `python manage.py seed_demo` runs. It is idempotent: every object is found
again by its natural key (organisation slug; event slug; venue by organisation and name; room by
event and French name; track by event and slug; speaker by organisation and slug; session by
event and French title; session role by session, speaker and role), so a second run creates
nothing and changes nothing.

After an organiser has edited the demo, a run restores the demo content: edited texts, times,
rooms and dates get their demo values back (a session whose French title was changed is found
again by its slot: same room, start and type). What the organiser added is kept: their own
sessions, rooms and session roles, and a speaker's photo, consent, email and links.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Max, Min

from events.models import Event, Room, Session, SessionSpeaker, Track, Venue
from events.services import update_event, update_session
from organisations.models import Organisation
from speakers.models import Speaker

PARIS = ZoneInfo("Europe/Paris")

Role = SessionSpeaker.Role
Type = Session.Type


class Bilingual(NamedTuple):
    fr: str
    en: str


@dataclass(frozen=True)
class DemoRoom:
    key: str
    name: Bilingual
    capacity: int | None
    position: int


@dataclass(frozen=True)
class DemoTrack:
    slug: str
    name: Bilingual
    colour: str


@dataclass(frozen=True)
class DemoSpeaker:
    slug: str
    name: str
    title: Bilingual
    affiliation: str
    bio: Bilingual


@dataclass(frozen=True)
class DemoSession:
    type: str
    slot: tuple[datetime, datetime]
    room: str
    title: Bilingual
    abstract: Bilingual
    track: str | None = None
    speakers: tuple[tuple[str, str], ...] = ()
    capacity: int | None = None
    requires_signup: bool = False


@dataclass(frozen=True)
class DemoEvent:
    organisation_slug: str
    organisation_name: str
    venue_name: str
    venue_street: str
    venue_postal_code: str
    venue_city: str
    slug: str
    kind: str
    access: str
    title: Bilingual
    subtitle: Bilingual
    description: Bilingual
    start: datetime
    end: datetime
    contact_email: str
    rooms: tuple[DemoRoom, ...]
    tracks: tuple[DemoTrack, ...]
    speakers: tuple[DemoSpeaker, ...]
    sessions: tuple[DemoSession, ...]


@dataclass(frozen=True)
class DemoSummary:
    events: int
    sessions: int
    speakers: int


def _at(day: date, hour_minute: str) -> datetime:
    hour, minute = (int(part) for part in hour_minute.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _slot(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    return _at(day, start), _at(day, end)


# --- Colloquium: "Protection sociale et territoires", Lyon, 20-21 May 2027 ---------------------

THURSDAY = date(2027, 5, 20)
FRIDAY = date(2027, 5, 21)
PARTNER = "Groupe Mutualiste Confluences"  # fictional partner

COLLOQUIUM_SPEAKERS = (
    DemoSpeaker(
        slug="isabelle-varenne",
        name="Isabelle Varenne",
        title=Bilingual("Directrice de Sciences Po Lyon", "Director of Sciences Po Lyon"),
        affiliation="Sciences Po Lyon",
        bio=Bilingual(
            "Professeure de droit public, Isabelle Varenne dirige Sciences Po Lyon. Elle a "
            "auparavant présidé le conseil scientifique de l’école et consacré ses travaux à "
            "la décentralisation de l’action sociale.",
            "A professor of public law, Isabelle Varenne is the director of Sciences Po Lyon. "
            "She previously chaired the school's scientific council, and her research deals "
            "with the decentralisation of social services.",
        ),
    ),
    DemoSpeaker(
        slug="bertrand-lescure",
        name="Bertrand Lescure",
        title=Bilingual("Directeur de l’EN3S", "Director of EN3S"),
        affiliation="EN3S - École nationale supérieure de Sécurité sociale",
        bio=Bilingual(
            "Bertrand Lescure dirige l’École nationale supérieure de Sécurité sociale, qui forme "
            "à Saint-Étienne les cadres dirigeants des caisses. Il a auparavant dirigé une caisse "
            "d’allocations familiales et une caisse primaire d’assurance maladie.",
            "Bertrand Lescure is the director of the École nationale supérieure de Sécurité "
            "sociale in Saint-Étienne, which trains the senior executives of France's social "
            "security funds. He previously ran a family allowance fund and a local health "
            "insurance fund.",
        ),
    ),
    DemoSpeaker(
        slug="anne-sophie-verac",
        name="Anne-Sophie Vérac",
        title=Bilingual(
            "Professeure de science politique, titulaire de la chaire",
            "Professor of political science, holder of the chair",
        ),
        affiliation="Sciences Po Lyon",
        bio=Bilingual(
            "Anne-Sophie Vérac est professeure de science politique à Sciences Po Lyon et "
            "titulaire de la chaire «\u00a0Protection sociale et territoires\u00a0». "
            "Ses recherches portent "
            "sur la territorialisation des politiques sociales et le travail des guichets.",
            "Anne-Sophie Vérac is a professor of political science at Sciences Po Lyon and "
            'holds the "Social protection and territories" chair. Her research looks at how '
            "social policies are adapted to local areas and at the work of front-line offices.",
        ),
    ),
    DemoSpeaker(
        slug="mathieu-carrel",
        name="Mathieu Carrel",
        title=Bilingual(
            "Maître de conférences en sociologie, coresponsable scientifique de la chaire",
            "Associate professor of sociology, co-director of the chair",
        ),
        affiliation="EN3S - École nationale supérieure de Sécurité sociale",
        bio=Bilingual(
            "Sociologue, Mathieu Carrel enseigne à l’EN3S et codirige la chaire avec Sciences Po "
            "Lyon. Il étudie les coopérations entre organismes de sécurité sociale et "
            "collectivités locales.",
            "A sociologist, Mathieu Carrel teaches at EN3S and co-directs the chair with "
            "Sciences Po Lyon. He studies how social security bodies and local authorities work "
            "together.",
        ),
    ),
    DemoSpeaker(
        slug="francoise-aubertin",
        name="Françoise Aubertin",
        title=Bilingual("Professeure émérite d’économie", "Emeritus professor of economics"),
        affiliation="Université Lumière Lyon 2",
        bio=Bilingual(
            "Économiste de la protection sociale, Françoise Aubertin a consacré trente ans de "
            "recherche aux inégalités territoriales de revenus et de santé. Elle a présidé "
            "plusieurs comités d’évaluation de politiques publiques.",
            "An economist of social protection, Françoise Aubertin has spent thirty years "
            "researching regional inequalities in income and health. She has chaired several "
            "public policy evaluation committees.",
        ),
    ),
    DemoSpeaker(
        slug="olivier-granjon",
        name="Olivier Granjon",
        title=Bilingual("Directeur général", "Chief executive"),
        affiliation=PARTNER,
        bio=Bilingual(
            f"Olivier Granjon dirige le {PARTNER}, partenaire de la chaire depuis sa création. "
            "Actuaire de formation, il a développé l’action sociale de proximité du groupe dans "
            "les départements rhônalpins.",
            f"Olivier Granjon is the chief executive of {PARTNER}, a partner of the chair since "
            "its creation. An actuary by training, he has built up the group's local social "
            "support in the departments of the Rhône-Alpes area.",
        ),
    ),
    DemoSpeaker(
        slug="claire-dumontet",
        name="Claire Dumontet",
        title=Bilingual("Responsable de l’action sociale", "Head of social support"),
        affiliation=PARTNER,
        bio=Bilingual(
            "Claire Dumontet pilote les aides individuelles et les programmes de soutien aux "
            "aidants du groupe. Assistante sociale de formation, elle a travaillé quinze ans en "
            "centre communal d’action sociale.",
            "Claire Dumontet runs the group's individual grants and its programmes for family "
            "carers. A social worker by training, she spent fifteen years in a municipal social "
            "welfare centre.",
        ),
    ),
    DemoSpeaker(
        slug="nadia-benhamou",
        name="Nadia Benhamou",
        title=Bilingual(
            "Directrice adjointe des politiques familiales et sociales",
            "Deputy director of family and social policy",
        ),
        affiliation="CNAF - Caisse nationale des allocations familiales",
        bio=Bilingual(
            "Nadia Benhamou conduit à la CNAF les programmes de lutte contre le non-recours aux "
            "prestations. Elle a auparavant dirigé l’action sociale d’une caisse d’allocations "
            "familiales en zone rurale.",
            "At CNAF, Nadia Benhamou leads the programmes against the non-take-up of benefits. "
            "She previously headed social support at a family allowance fund in a rural "
            "department.",
        ),
    ),
    DemoSpeaker(
        slug="julien-mazoyer",
        name="Julien Mazoyer",
        title=Bilingual("Directeur adjoint", "Deputy director"),
        affiliation="CPAM du Rhône",
        bio=Bilingual(
            "Julien Mazoyer est directeur adjoint de la caisse primaire d’assurance maladie du "
            "Rhône, chargé de l’accès aux soins et de la relation avec les assurés. Il a lancé "
            "les équipes mobiles d’accès aux droits de la caisse.",
            "Julien Mazoyer is deputy director of the Rhône local health insurance fund, in "
            "charge of access to care and relations with the insured. He set up the fund's "
            "mobile teams for access to benefits.",
        ),
    ),
    DemoSpeaker(
        slug="sylvie-rabatel",
        name="Sylvie Rabatel",
        title=Bilingual(
            "Directrice générale adjointe chargée des solidarités",
            "Deputy chief executive for social services",
        ),
        affiliation="Conseil départemental de la Loire",
        bio=Bilingual(
            "Sylvie Rabatel dirige les services de solidarité du département de la Loire\u00a0: "
            "insertion, protection de l’enfance, autonomie. Elle défend une organisation de "
            "l’action sociale par bassins de vie.",
            "Sylvie Rabatel heads the social services of the Loire department: back-to-work "
            "support, child protection and care for older and disabled people. She advocates "
            "organising social work around people's daily living areas.",
        ),
    ),
    DemoSpeaker(
        slug="thomas-guillermin",
        name="Thomas Guillermin",
        title=Bilingual("Directeur de l’offre de soins", "Director of healthcare provision"),
        affiliation="ARS Auvergne-Rhône-Alpes",
        bio=Bilingual(
            "Médecin de santé publique, Thomas Guillermin dirige l’offre de soins à l’agence "
            "régionale de santé Auvergne-Rhône-Alpes. Il suit notamment le déploiement des "
            "communautés professionnelles territoriales de santé.",
            "A public health doctor, Thomas Guillermin is director of healthcare provision at "
            "the Auvergne-Rhône-Alpes regional health agency. He oversees, among other things, "
            "the roll-out of local primary care networks.",
        ),
    ),
    DemoSpeaker(
        slug="camille-ostrowski",
        name="Camille Ostrowski",
        title=Bilingual("Chargée de recherche au CNRS", "CNRS research fellow"),
        affiliation="Laboratoire Triangle, ENS de Lyon",
        bio=Bilingual(
            "Camille Ostrowski étudie le non-recours aux droits sociaux à partir d’enquêtes de "
            "terrain auprès des allocataires et des agents. Elle a publié plusieurs travaux sur "
            "la dématérialisation des démarches administratives.",
            "Camille Ostrowski studies the non-take-up of social rights through fieldwork with "
            "claimants and front-line staff. She has published several studies on the move of "
            "administrative procedures online.",
        ),
    ),
    DemoSpeaker(
        slug="karim-belkacem",
        name="Karim Belkacem",
        title=Bilingual(
            "Maître de conférences en droit public", "Associate professor of public law"
        ),
        affiliation="Université Jean Monnet Saint-Étienne",
        bio=Bilingual(
            "Karim Belkacem est spécialiste du droit des collectivités territoriales et de "
            "l’aide sociale. Il s’intéresse à la répartition des compétences sociales entre "
            "l’État, les départements et les communes.",
            "Karim Belkacem specialises in local government law and social assistance law. His "
            "work focuses on how social responsibilities are shared between the State, the "
            "departments and the municipalities.",
        ),
    ),
    DemoSpeaker(
        slug="elodie-franchet",
        name="Élodie Franchet",
        title=Bilingual(
            "Journaliste spécialiste des politiques sociales",
            "Journalist covering social policy",
        ),
        affiliation="Journaliste indépendante",
        bio=Bilingual(
            "Élodie Franchet couvre depuis quinze ans la protection sociale et la santé pour la "
            "presse professionnelle et régionale. Elle anime régulièrement des débats publics "
            "sur ces sujets.",
            "Élodie Franchet has covered social protection and health for the trade and "
            "regional press for fifteen years. She regularly chairs public debates on these "
            "subjects.",
        ),
    ),
    DemoSpeaker(
        slug="pierre-yves-carron",
        name="Pierre-Yves Carron",
        title=Bilingual(
            "Médecin généraliste, coordinateur d’une maison de santé",
            "General practitioner, coordinator of a primary care centre",
        ),
        affiliation="Maison de santé pluriprofessionnelle (Loire)",
        bio=Bilingual(
            "Installé en zone rurale depuis vingt ans, Pierre-Yves Carron coordonne une maison "
            "de santé qui réunit médecins, infirmiers et kinésithérapeutes. Il forme aussi des "
            "internes en médecine générale.",
            "A rural GP for twenty years, Pierre-Yves Carron coordinates a primary care centre "
            "that brings together doctors, nurses and physiotherapists. He also trains junior "
            "doctors in general practice.",
        ),
    ),
    DemoSpeaker(
        slug="martine-quinson",
        name="Martine Quinson",
        title=Bilingual(
            "Directrice de l’action sanitaire et sociale",
            "Director of health and social support",
        ),
        affiliation="MSA Ain-Rhône",
        bio=Bilingual(
            "Martine Quinson dirige l’action sanitaire et sociale de la Mutualité sociale "
            "agricole de l’Ain et du Rhône. Elle a développé des programmes de prévention de la "
            "perte d’autonomie dans les villages.",
            "Martine Quinson heads health and social support at the agricultural social "
            "security fund for the Ain and Rhône departments. She has developed programmes to "
            "help older people in villages stay independent.",
        ),
    ),
    DemoSpeaker(
        slug="gerard-montagnon",
        name="Gérard Montagnon",
        title=Bilingual(
            "Vice-président chargé de l’autonomie et du grand âge",
            "Vice-president for disability and old-age care",
        ),
        affiliation="Conseil départemental de l’Ain",
        bio=Bilingual(
            "Élu départemental et ancien maire d’une commune rurale, Gérard Montagnon est chargé "
            "des politiques de l’autonomie. Il a porté le schéma départemental de soutien à "
            "domicile.",
            "A departmental councillor and former mayor of a rural town, Gérard Montagnon is in "
            "charge of policies for older and disabled people. He led the department's plan for "
            "care at home.",
        ),
    ),
    DemoSpeaker(
        slug="sophie-teyssier",
        name="Sophie Teyssier",
        title=Bilingual(
            "Directrice du centre communal d’action sociale",
            "Director of the municipal social welfare centre",
        ),
        affiliation="CCAS de Villeurbanne",
        bio=Bilingual(
            "Sophie Teyssier dirige le centre communal d’action sociale de Villeurbanne. Elle a "
            "ouvert un accueil social inconditionnel commun à la ville, au département et aux "
            "caisses de sécurité sociale.",
            "Sophie Teyssier is the director of Villeurbanne's municipal social welfare centre. "
            "She opened a walk-in social service shared by the city, the department and the "
            "social security funds.",
        ),
    ),
    DemoSpeaker(
        slug="yves-perrichon",
        name="Yves Perrichon",
        title=Bilingual("Professeur de sociologie", "Professor of sociology"),
        affiliation="Université Grenoble Alpes",
        bio=Bilingual(
            "Yves Perrichon étudie les parcours de vie et les politiques du vieillissement. Il "
            "dirige un master consacré à l’intervention sociale et a encadré de nombreuses "
            "thèses sur ces questions.",
            "Yves Perrichon studies life courses and ageing policies. He runs a master's "
            "programme in social work and has supervised many doctoral theses on these "
            "questions.",
        ),
    ),
    DemoSpeaker(
        slug="lea-vautrin",
        name="Léa Vautrin",
        title=Bilingual("Doctorante en sociologie", "PhD candidate in sociology"),
        affiliation="Université Lumière Lyon 2, Centre Max Weber",
        bio=Bilingual(
            "Léa Vautrin prépare une thèse sur les proches aidants de personnes âgées en milieu "
            "rural. Son enquête suit une quarantaine de familles dans l’Ain et la Loire.",
            "Léa Vautrin is writing a thesis on people caring for older relatives in rural "
            "areas. Her fieldwork follows some forty families in the Ain and Loire departments.",
        ),
    ),
    DemoSpeaker(
        slug="hugo-marcellin",
        name="Hugo Marcellin",
        title=Bilingual("Doctorant en économie de la santé", "PhD candidate in health economics"),
        affiliation="Université Clermont Auvergne",
        bio=Bilingual(
            "Hugo Marcellin mesure l’effet des maisons de santé sur l’accès aux soins de "
            "premier recours. Ses travaux s’appuient sur les données de l’assurance maladie.",
            "Hugo Marcellin measures the effect of primary care centres on access to first-line "
            "care. His work draws on national health insurance data.",
        ),
    ),
    DemoSpeaker(
        slug="ines-saidi",
        name="Inès Saïdi",
        title=Bilingual("Doctorante en science politique", "PhD candidate in political science"),
        affiliation="Sciences Po Lyon, laboratoire Triangle",
        bio=Bilingual(
            "Inès Saïdi consacre sa thèse aux guichets uniques de services publics dans les "
            "petites villes. Elle bénéficie d’un contrat doctoral de la chaire.",
            "Inès Saïdi's thesis deals with one-stop public service offices in small towns. Her "
            "doctorate is funded by the chair.",
        ),
    ),
    DemoSpeaker(
        slug="jacqueline-morvan",
        name="Jacqueline Morvan",
        title=Bilingual(
            "Inspectrice générale des affaires sociales honoraire",
            "Honorary inspector general of social affairs",
        ),
        affiliation="IGAS",
        bio=Bilingual(
            "Jacqueline Morvan a conduit à l’Inspection générale des affaires sociales de "
            "nombreuses missions sur l’organisation territoriale de la sécurité sociale. Elle "
            "est le grand témoin du colloque.",
            "At the General Inspectorate of Social Affairs, Jacqueline Morvan led many reviews "
            "of how social security is organised across France. She is the colloquium's "
            "closing observer.",
        ),
    ),
)

SOLIDARITY = "solidarites-territoriales"
HEALTH = "sante-et-autonomie"

COLLOQUIUM_SESSIONS = (
    # Thursday 20 May
    DemoSession(
        type=Type.WELCOME,
        slot=_slot(THURSDAY, "08:30", "09:00"),
        room="hall",
        title=Bilingual("Accueil des participants et café", "Registration and welcome coffee"),
        abstract=Bilingual(
            "Retrait des badges à l’entrée du hall Berthelot\u202f; café et viennoiseries.",
            "Collect your badge at the entrance of the Berthelot hall; coffee and pastries.",
        ),
    ),
    DemoSession(
        type=Type.PLENARY,
        slot=_slot(THURSDAY, "09:00", "09:30"),
        room="amphi",
        title=Bilingual("Séance d’ouverture", "Opening session"),
        abstract=Bilingual(
            "Mots d’accueil des directions de Sciences Po Lyon et de l’EN3S, puis du partenaire "
            "de la chaire\u202f; présentation des travaux de la chaire et du programme des deux "
            "journées.",
            "Welcome from the directors of Sciences Po Lyon and EN3S and from the chair's "
            "partner, followed by an overview of the chair's work and of the two-day programme.",
        ),
        speakers=(
            ("anne-sophie-verac", Role.CHAIR),
            ("isabelle-varenne", Role.SPEAKER),
            ("bertrand-lescure", Role.SPEAKER),
            ("olivier-granjon", Role.SPEAKER),
        ),
    ),
    DemoSession(
        type=Type.KEYNOTE,
        slot=_slot(THURSDAY, "09:30", "10:30"),
        room="amphi",
        title=Bilingual(
            "Conférence inaugurale\u00a0: la protection sociale a-t-elle une géographie\u202f?",
            "Keynote: does social protection have a geography?",
        ),
        abstract=Bilingual(
            "Du non-recours aux prestations à la densité médicale, la protection sociale "
            "produit des résultats très inégaux d’un territoire à l’autre. Cette conférence "
            "revient sur trente ans de recherches pour distinguer ce qui tient aux règles "
            "nationales, aux choix locaux et aux parcours des habitants.",
            "From the non-take-up of benefits to the number of doctors per head, social "
            "protection delivers very unequal results from one area to another. This lecture "
            "draws on thirty years of research to tell apart what comes from national rules, "
            "from local choices and from people's own life courses.",
        ),
        speakers=(("mathieu-carrel", Role.CHAIR), ("francoise-aubertin", Role.SPEAKER)),
    ),
    DemoSession(
        type=Type.BREAK,
        slot=_slot(THURSDAY, "10:30", "10:45"),
        room="hall",
        title=Bilingual("Pause café", "Coffee break"),
        abstract=Bilingual("Café servi dans le hall Berthelot.", "Coffee in the Berthelot hall."),
    ),
    DemoSession(
        type=Type.ROUND_TABLE,
        slot=_slot(THURSDAY, "10:45", "12:30"),
        room="amphi",
        track=SOLIDARITY,
        title=Bilingual(
            "Table ronde 1 - Accès aux droits et non-recours\u00a0: ce que change la proximité",
            "Round table 1 - Access to benefits and non-take-up: what proximity changes",
        ),
        abstract=Bilingual(
            "Près d’un foyer éligible sur trois ne demande pas le revenu de solidarité active. "
            "Caisses d’allocations familiales, caisses primaires d’assurance maladie et "
            "départements multiplient rendez-vous des droits, guichets uniques et équipes "
            "mobiles. Quels résultats, et à quelles conditions\u202f?",
            "Nearly one eligible household in three does not claim the minimum income benefit "
            "(RSA). Family allowance funds, local health insurance funds and departments are "
            "stepping up benefit check-ups, one-stop shops and mobile teams. What do they "
            "achieve, and under which conditions?",
        ),
        speakers=(
            ("elodie-franchet", Role.MODERATOR),
            ("nadia-benhamou", Role.SPEAKER),
            ("julien-mazoyer", Role.SPEAKER),
            ("sylvie-rabatel", Role.SPEAKER),
            ("camille-ostrowski", Role.SPEAKER),
        ),
    ),
    DemoSession(
        type=Type.BREAK,
        slot=_slot(THURSDAY, "12:30", "14:00"),
        room="hall",
        title=Bilingual("Déjeuner", "Lunch"),
        abstract=Bilingual(
            "Déjeuner servi sur place pour les participants inscrits.",
            "Lunch is served on site for registered participants.",
        ),
    ),
    DemoSession(
        type=Type.WORKSHOP,
        slot=_slot(THURSDAY, "14:00", "15:45"),
        room="bloch",
        track=SOLIDARITY,
        title=Bilingual(
            "Atelier A - Action sociale de proximité\u00a0: communes, caisses et mutuelles",
            "Workshop A - Local social support: municipalities, funds and mutual insurers",
        ),
        abstract=Bilingual(
            "À partir d’expériences conduites à Villeurbanne et dans la Loire, l’atelier "
            "examine comment un centre communal d’action sociale, une caisse et une mutuelle "
            "peuvent accompagner ensemble une même famille. Travail en petits groupes\u202f; "
            "inscription préalable requise.",
            "Drawing on projects in Villeurbanne and the Loire department, this workshop looks "
            "at how a municipal welfare centre, a social security fund and a mutual insurer can "
            "support the same family together. Small-group work; sign-up required.",
        ),
        speakers=(
            ("karim-belkacem", Role.CHAIR),
            ("sophie-teyssier", Role.SPEAKER),
            ("claire-dumontet", Role.SPEAKER),
        ),
        capacity=50,
        requires_signup=True,
    ),
    DemoSession(
        type=Type.WORKSHOP,
        slot=_slot(THURSDAY, "14:00", "15:45"),
        room="veil",
        track=HEALTH,
        title=Bilingual(
            "Atelier B - Exercice coordonné et accès aux soins en zone rurale",
            "Workshop B - Team-based primary care and access to care in rural areas",
        ),
        abstract=Bilingual(
            "Maisons de santé, centres de santé, communautés professionnelles territoriales\u00a0: "
            "l’atelier confronte le regard d’un médecin de terrain, de l’assurance maladie et "
            "de la recherche sur ce qui attire et retient les soignants. Inscription préalable "
            "requise.",
            "Primary care centres, health centres and local care networks: a rural doctor, the "
            "health insurance fund and a researcher compare their views on what attracts and "
            "keeps health professionals. Sign-up required.",
        ),
        speakers=(
            ("julien-mazoyer", Role.CHAIR),
            ("pierre-yves-carron", Role.SPEAKER),
            ("hugo-marcellin", Role.SPEAKER),
        ),
        capacity=40,
        requires_signup=True,
    ),
    DemoSession(
        type=Type.WORKSHOP,
        slot=_slot(THURSDAY, "14:00", "15:45"),
        room="tillion",
        track=HEALTH,
        title=Bilingual(
            "Atelier C - Proches aidants\u00a0: les repérer et les soutenir",
            "Workshop C - Family carers: identifying and supporting them",
        ),
        abstract=Bilingual(
            "Onze millions de personnes aident un proche malade, âgé ou handicapé. Comment les "
            "caisses, les départements et les communes peuvent-ils les repérer plus tôt et leur "
            "offrir du répit\u202f? Inscription préalable requise.",
            "Eleven million people in France care for a relative who is ill, elderly or "
            "disabled. How can funds, departments and municipalities identify them earlier and "
            "give them respite? Sign-up required.",
        ),
        speakers=(
            ("martine-quinson", Role.CHAIR),
            ("lea-vautrin", Role.SPEAKER),
            ("gerard-montagnon", Role.SPEAKER),
        ),
        capacity=30,
        requires_signup=True,
    ),
    DemoSession(
        type=Type.BREAK,
        slot=_slot(THURSDAY, "15:45", "16:00"),
        room="hall",
        title=Bilingual("Pause de l’après-midi", "Afternoon break"),
        abstract=Bilingual("Café servi dans le hall Berthelot.", "Coffee in the Berthelot hall."),
    ),
    DemoSession(
        type=Type.ROUND_TABLE,
        slot=_slot(THURSDAY, "16:00", "17:45"),
        room="amphi",
        track=HEALTH,
        title=Bilingual(
            "Table ronde 2 - Vieillir chez soi\u00a0: l’autonomie à l’épreuve des territoires",
            "Round table 2 - Ageing at home: long-term care across local areas",
        ),
        abstract=Bilingual(
            "Le virage domiciliaire suppose des aides à domicile, des soignants et des "
            "logements adaptés partout, y compris loin des villes. Un département, une caisse "
            "de sécurité sociale agricole et une mutuelle disent ce qu’ils font, et ce qui leur "
            "manque.",
            "Helping people grow old at home requires home carers, nurses and adapted housing "
            "everywhere, far from cities too. A department, the farmers' social security fund "
            "and a mutual insurer describe what they do, and what they lack.",
        ),
        speakers=(
            ("mathieu-carrel", Role.MODERATOR),
            ("gerard-montagnon", Role.SPEAKER),
            ("martine-quinson", Role.SPEAKER),
            ("claire-dumontet", Role.SPEAKER),
        ),
    ),
    # Friday 21 May
    DemoSession(
        type=Type.WELCOME,
        slot=_slot(FRIDAY, "08:45", "09:15"),
        room="hall",
        title=Bilingual("Accueil café du vendredi", "Friday welcome coffee"),
        abstract=Bilingual(
            "Accueil des participants de la seconde journée dans le hall Berthelot.",
            "Welcome of participants for the second day, in the Berthelot hall.",
        ),
    ),
    DemoSession(
        type=Type.ROUND_TABLE,
        slot=_slot(FRIDAY, "09:15", "10:45"),
        room="amphi",
        track=HEALTH,
        title=Bilingual(
            "Table ronde 3 - Déserts médicaux\u00a0: quelles coopérations entre ARS, assurance "
            "maladie et collectivités\u202f?",
            "Round table 3 - Medical deserts: how can health agencies, health insurance and "
            "local authorities work together?",
        ),
        abstract=Bilingual(
            "Aides à l’installation, centres de santé municipaux, contrats locaux de santé\u00a0: "
            "les collectivités investissent un champ qui n’est pas leur compétence. Comment "
            "articuler leurs initiatives avec celles de l’agence régionale de santé et de "
            "l’assurance maladie\u202f?",
            "Start-up grants for doctors, municipal health centres, local health contracts: "
            "local authorities are stepping into a field that is not theirs by law. How can "
            "their initiatives fit with those of the regional health agency and the health "
            "insurance funds?",
        ),
        speakers=(
            ("elodie-franchet", Role.MODERATOR),
            ("thomas-guillermin", Role.SPEAKER),
            ("julien-mazoyer", Role.SPEAKER),
            ("pierre-yves-carron", Role.SPEAKER),
            ("karim-belkacem", Role.SPEAKER),
        ),
    ),
    DemoSession(
        type=Type.BREAK,
        slot=_slot(FRIDAY, "10:45", "11:00"),
        room="hall",
        title=Bilingual("Pause café du vendredi", "Friday coffee break"),
        abstract=Bilingual("Café servi dans le hall Berthelot.", "Coffee in the Berthelot hall."),
    ),
    DemoSession(
        type=Type.TALK,
        slot=_slot(FRIDAY, "11:00", "12:30"),
        room="amphi",
        track=SOLIDARITY,
        title=Bilingual(
            "Jeunes chercheurs\u00a0: territoires, droits et parcours",
            "Early-career researchers: territories, rights and life courses",
        ),
        abstract=Bilingual(
            "Trois doctorants présentent leurs travaux en cours sur les guichets uniques, les "
            "maisons de santé et les proches aidants, discutés par un sociologue des parcours "
            "de vie.",
            "Three PhD candidates present their ongoing work on one-stop public service "
            "offices, primary care centres and family carers, with comments from a sociologist "
            "of life courses.",
        ),
        speakers=(
            ("anne-sophie-verac", Role.CHAIR),
            ("ines-saidi", Role.SPEAKER),
            ("hugo-marcellin", Role.SPEAKER),
            ("lea-vautrin", Role.SPEAKER),
            ("yves-perrichon", Role.DISCUSSANT),
        ),
    ),
    DemoSession(
        type=Type.BREAK,
        slot=_slot(FRIDAY, "12:30", "14:00"),
        room="hall",
        title=Bilingual("Buffet déjeunatoire", "Buffet lunch"),
        abstract=Bilingual(
            "Buffet servi dans le hall Berthelot pour les participants inscrits.",
            "Buffet in the Berthelot hall for registered participants.",
        ),
    ),
    DemoSession(
        type=Type.ROUND_TABLE,
        slot=_slot(FRIDAY, "14:00", "15:45"),
        room="amphi",
        track=SOLIDARITY,
        title=Bilingual(
            "Table ronde 4 - Mutuelles, caisses, collectivités\u00a0: quelles alliances pour les "
            "solidarités de demain\u202f?",
            "Round table 4 - Mutual insurers, social security funds and local authorities: "
            "which alliances for tomorrow's solidarity?",
        ),
        abstract=Bilingual(
            "Protection sociale obligatoire, complémentaire et aide sociale locale se "
            "complètent sans toujours se connaître. Quelles alliances construire sur un "
            "territoire pour qu’aucun habitant ne reste sans réponse\u202f?",
            "Statutory social security, complementary insurance and local social assistance "
            "complement each other without always knowing each other. Which alliances can be "
            "built in an area so that no resident is left without an answer?",
        ),
        speakers=(
            ("camille-ostrowski", Role.MODERATOR),
            ("olivier-granjon", Role.SPEAKER),
            ("nadia-benhamou", Role.SPEAKER),
            ("sylvie-rabatel", Role.SPEAKER),
            ("sophie-teyssier", Role.SPEAKER),
        ),
    ),
    DemoSession(
        type=Type.PLENARY,
        slot=_slot(FRIDAY, "16:00", "17:00"),
        room="amphi",
        title=Bilingual(
            "Séance de clôture\u00a0: conclusions et perspectives",
            "Closing session: conclusions and outlook",
        ),
        abstract=Bilingual(
            "Le grand témoin du colloque tire les enseignements des deux journées\u202f; la chaire "
            "présente ses prochains chantiers de recherche et de formation.",
            "The colloquium's closing observer draws the lessons of the two days; the chair "
            "presents its next research and training projects.",
        ),
        speakers=(
            ("mathieu-carrel", Role.CHAIR),
            ("jacqueline-morvan", Role.SPEAKER),
            ("anne-sophie-verac", Role.SPEAKER),
            ("bertrand-lescure", Role.SPEAKER),
        ),
    ),
    DemoSession(
        type=Type.RECEPTION,
        slot=_slot(FRIDAY, "17:00", "17:30"),
        room="hall",
        title=Bilingual("Verre de l’amitié", "Farewell drinks"),
        abstract=Bilingual(
            f"Offert par le {PARTNER}, partenaire de la chaire.",
            f"Offered by {PARTNER}, the chair's partner.",
        ),
    ),
)

COLLOQUIUM = DemoEvent(
    organisation_slug="chaire-protection-sociale-et-territoires",
    organisation_name="Chaire «\u00a0Protection sociale et territoires\u00a0»",
    venue_name="Sciences Po Lyon",
    venue_street="14 avenue Berthelot",
    venue_postal_code="69007",
    venue_city="Lyon",
    slug="protection-sociale-et-territoires-2027",
    kind=Event.Kind.COLLOQUIUM,
    access=Event.Access.PUBLIC,
    title=Bilingual("Protection sociale et territoires", "Social protection and territories"),
    subtitle=Bilingual(
        "Colloque de la chaire Sciences Po Lyon - EN3S\u00a0: solidarités, santé et autonomie "
        "au plus "
        "près des habitants",
        "Colloquium of the Sciences Po Lyon - EN3S chair: solidarity, health and ageing close to "
        "where people live",
    ),
    description=Bilingual(
        "Organisé par la chaire «\u00a0Protection sociale et territoires\u00a0» "
        "de Sciences Po Lyon et de "
        "l’École nationale supérieure de Sécurité sociale (EN3S, Saint-Étienne), ce colloque "
        "réunit pendant deux jours chercheurs, responsables des organismes de sécurité sociale, "
        "élus et professionnels de terrain.\n\n"
        "La protection sociale est nationale par ses règles, mais elle se vit dans les "
        "territoires\u00a0: accès aux droits, offre de soins, accompagnement du grand âge, action "
        "sociale des caisses et des départements. Conférence inaugurale, tables rondes, ateliers "
        "et travaux de jeunes chercheurs interrogeront ce que la proximité change, ou ne change "
        "pas, aux inégalités.\n\n"
        f"La chaire bénéficie du soutien du {PARTNER}, partenaire du colloque. L’inscription est "
        "obligatoire\u202f; les ateliers du jeudi après-midi se tiennent en parallèle "
        "et leurs places "
        "sont limitées.",
        'Organised by the "Social protection and territories" chair of Sciences Po Lyon and '
        "the École nationale supérieure de Sécurité sociale (EN3S, Saint-Étienne), this two-day "
        "colloquium brings together researchers, senior staff of social security bodies, elected "
        "officials and practitioners.\n\n"
        "Social protection follows national rules, but people experience it locally: access to "
        "benefits, healthcare provision, care for older people, the social support of funds and "
        "departments. A keynote lecture, round tables, workshops and early-career research will "
        "ask what proximity changes, or fails to change, in inequalities.\n\n"
        f"The chair is supported by {PARTNER}, partner of the colloquium. Registration is "
        "required; the Thursday afternoon workshops run in parallel and have limited places.",
    ),
    start=_at(THURSDAY, "08:30"),
    end=_at(FRIDAY, "17:30"),
    contact_email="protection-sociale-territoires@example.org",
    rooms=(
        DemoRoom("amphi", Bilingual("Amphithéâtre Leclair", "Leclair lecture theatre"), 300, 1),
        DemoRoom("bloch", Bilingual("Salle Marc Bloch", "Marc Bloch room"), 60, 2),
        DemoRoom("veil", Bilingual("Salle Simone Veil", "Simone Veil room"), 45, 3),
        DemoRoom("tillion", Bilingual("Salle Germaine Tillion", "Germaine Tillion room"), 35, 4),
        DemoRoom("hall", Bilingual("Hall Berthelot", "Berthelot hall"), None, 5),
    ),
    tracks=(
        DemoTrack(
            SOLIDARITY, Bilingual("Solidarités territoriales", "Territorial solidarity"), "#1d4f91"
        ),
        DemoTrack(HEALTH, Bilingual("Santé et autonomie", "Health and ageing"), "#2e7d5b"),
    ),
    speakers=COLLOQUIUM_SPEAKERS,
    sessions=COLLOQUIUM_SESSIONS,
)


# --- Ceremony: "Cérémonie des vœux 2027" of FHF PACA, Aix-en-Provence, 15 January 2027 -------

CEREMONY_DAY = date(2027, 1, 15)

CEREMONY = DemoEvent(
    organisation_slug="fhf-paca",
    organisation_name="FHF PACA",
    venue_name="Sciences Po Aix",
    venue_street="25 rue Gaston de Saporta",
    venue_postal_code="13100",
    venue_city="Aix-en-Provence",
    slug="ceremonie-des-voeux-fhf-paca-2027",
    kind=Event.Kind.CEREMONY,
    access=Event.Access.INVITATION,
    title=Bilingual("Cérémonie des vœux 2027", "2027 New Year ceremony"),
    subtitle=Bilingual(
        "Fédération hospitalière de France, Provence-Alpes-Côte d’Azur",
        "French Hospital Federation, Provence-Alpes-Côte d'Azur",
    ),
    description=Bilingual(
        "Le président et le conseil d’administration de la FHF PACA présentent leurs vœux aux "
        "directeurs d’établissements, aux présidents de commission médicale d’établissement, "
        "aux élus et aux partenaires de l’hôpital public et du secteur médico-social de la "
        "région.\n\n"
        "La soirée sera marquée par la signature de la convention de partenariat entre la FHF "
        "PACA et Sciences Po Aix, consacrée à la formation des cadres hospitaliers et à la "
        "recherche sur les politiques de santé. Elle se prolongera par un cocktail.\n\n"
        "Sur invitation personnelle.",
        "The President and the Board of FHF PACA extend their New Year wishes to hospital "
        "directors, chairs of hospital medical committees, elected officials and the partners "
        "of public hospitals and care homes in the region.\n\n"
        "The evening will feature the signing of the partnership agreement between FHF PACA "
        "and Sciences Po Aix on the training of hospital managers and on health policy "
        "research. A cocktail reception will follow.\n\n"
        "By personal invitation only.",
    ),
    start=_at(CEREMONY_DAY, "18:00"),
    end=_at(CEREMONY_DAY, "21:30"),
    contact_email="voeux-fhf-paca@example.org",
    rooms=(
        DemoRoom("amphi", Bilingual("Grand amphithéâtre", "Main lecture theatre"), 250, 1),
        DemoRoom("salon", Bilingual("Salon d’honneur", "Reception hall"), 250, 2),
    ),
    tracks=(),
    speakers=(
        DemoSpeaker(
            slug="henri-castagnola",
            name="Henri Castagnola",
            title=Bilingual("Président de la FHF PACA", "President of FHF PACA"),
            affiliation="FHF PACA",
            bio=Bilingual(
                "Élu local de longue date, Henri Castagnola préside le conseil de surveillance "
                "d’un centre hospitalier des Alpes-de-Haute-Provence. Il a été élu à la "
                "présidence de la FHF PACA par les établissements publics de santé de la région.",
                "A long-standing local councillor, Henri Castagnola chairs the supervisory "
                "board of a hospital in the Alpes-de-Haute-Provence department. He was elected "
                "President of FHF PACA by the region's public health institutions.",
            ),
        ),
        DemoSpeaker(
            slug="valerie-sauvaire",
            name="Valérie Sauvaire",
            title=Bilingual("Déléguée générale de la FHF PACA", "Delegate General of FHF PACA"),
            affiliation="FHF PACA",
            bio=Bilingual(
                "Ancienne directrice d’hôpital, Valérie Sauvaire anime le réseau des "
                "établissements publics de santé et médico-sociaux de la région. Elle a préparé "
                "la convention de partenariat avec Sciences Po Aix.",
                "A former hospital director, Valérie Sauvaire leads the network of the region's "
                "public hospitals and care homes. She prepared the partnership agreement with "
                "Sciences Po Aix.",
            ),
        ),
        DemoSpeaker(
            slug="catherine-almeras",
            name="Catherine Alméras",
            title=Bilingual("Directrice de Sciences Po Aix", "Director of Sciences Po Aix"),
            affiliation="Sciences Po Aix",
            bio=Bilingual(
                "Professeure de droit public, Catherine Alméras dirige Sciences Po Aix. Elle a "
                "développé les formations de l’école consacrées à l’action publique en santé.",
                "A professor of public law, Catherine Alméras is the director of Sciences Po "
                "Aix. She has developed the school's programmes on public health policy.",
            ),
        ),
    ),
    sessions=(
        DemoSession(
            type=Type.WELCOME,
            slot=_slot(CEREMONY_DAY, "18:00", "18:30"),
            room="salon",
            title=Bilingual("Accueil des invités", "Welcome of guests"),
            abstract=Bilingual(
                "Accueil au salon d’honneur, remise des badges et vestiaire.",
                "Guests are welcomed in the reception hall; badges and cloakroom.",
            ),
        ),
        DemoSession(
            type=Type.SPEECH,
            slot=_slot(CEREMONY_DAY, "18:30", "18:50"),
            room="amphi",
            title=Bilingual(
                "Allocution du président de la FHF PACA", "Address by the President of FHF PACA"
            ),
            abstract=Bilingual(
                "Vœux du président aux établissements et aux partenaires\u202f; bilan de l’année "
                "écoulée pour l’hôpital public de la région.",
                "The President's New Year wishes to member institutions and partners, and a "
                "review of the past year for the region's public hospitals.",
            ),
            speakers=(("henri-castagnola", Role.SPEAKER),),
        ),
        DemoSession(
            type=Type.SPEECH,
            slot=_slot(CEREMONY_DAY, "18:50", "19:05"),
            room="amphi",
            title=Bilingual(
                "Les priorités de la fédération pour 2027", "The federation's priorities for 2027"
            ),
            abstract=Bilingual(
                "Attractivité des métiers, coopérations territoriales entre établissements, "
                "investissement\u00a0: la déléguée générale présente la feuille de route "
                "de l’année.",
                "Attracting health professionals, cooperation between institutions, "
                "investment: the Delegate General presents the year's roadmap.",
            ),
            speakers=(("valerie-sauvaire", Role.SPEAKER),),
        ),
        DemoSession(
            type=Type.SPEECH,
            slot=_slot(CEREMONY_DAY, "19:05", "19:20"),
            room="amphi",
            title=Bilingual(
                "Allocution de la directrice de Sciences Po Aix",
                "Address by the Director of Sciences Po Aix",
            ),
            abstract=Bilingual(
                "La directrice de Sciences Po Aix présente l’engagement de l’école auprès des "
                "établissements de santé de la région.",
                "The Director of Sciences Po Aix presents the school's commitment to the "
                "region's health institutions.",
            ),
            speakers=(("catherine-almeras", Role.SPEAKER),),
        ),
        DemoSession(
            type=Type.SIGNING,
            slot=_slot(CEREMONY_DAY, "19:20", "19:40"),
            room="amphi",
            title=Bilingual(
                "Signature de la convention de partenariat entre la FHF PACA et Sciences Po Aix",
                "Signing of the partnership agreement between FHF PACA and Sciences Po Aix",
            ),
            abstract=Bilingual(
                "La convention ouvre aux cadres hospitaliers des formations de Sciences Po Aix, "
                "accueille des étudiants en stage dans les établissements et lance des travaux "
                "de recherche communs sur les politiques de santé.",
                "The agreement opens Sciences Po Aix courses to hospital managers, offers "
                "students placements in member institutions and launches joint research on "
                "health policy.",
            ),
            speakers=(
                ("henri-castagnola", Role.SIGNATORY),
                ("catherine-almeras", Role.SIGNATORY),
                ("valerie-sauvaire", Role.SPEAKER),
            ),
        ),
        DemoSession(
            type=Type.RECEPTION,
            slot=_slot(CEREMONY_DAY, "19:40", "21:30"),
            room="salon",
            title=Bilingual("Cocktail dînatoire", "Buffet reception"),
            abstract=Bilingual(
                "Cocktail dînatoire servi au salon d’honneur.",
                "A buffet reception in the reception hall.",
            ),
        ),
    ),
)

DEMO_EVENTS = (COLLOQUIUM, CEREMONY)


# --- Loading ------------------------------------------------------------------------------------


def load_demo() -> DemoSummary:
    """Create the demonstration events, or restore them to their demo content.

    Runs in one transaction: either every demo object is in place or nothing changed.
    Idempotent: objects are found by natural keys (see the module docstring) and saved only when
    one of their demo values differs. Every object passes `full_clean()` before it is saved.
    An event or session moved back to its demo date, place or status is saved through the
    programme's services: calendars' SEQUENCE grows and attendees are told, as for any move.
    """
    with transaction.atomic():
        events = [_load_event(demo) for demo in DEMO_EVENTS]
        return DemoSummary(
            events=len(events),
            sessions=Session.objects.filter(event__in=events).count(),
            speakers=Speaker.objects.filter(session_roles__session__event__in=events)
            .distinct()
            .count(),
        )


def _load_event(demo: DemoEvent) -> Event:
    organisation = _upsert(
        Organisation, {"slug": demo.organisation_slug}, {"name": demo.organisation_name}
    )
    venue = _upsert(
        Venue,
        {"organisation": organisation, "name": demo.venue_name},
        {
            "street": demo.venue_street,
            "postal_code": demo.venue_postal_code,
            "city": demo.venue_city,
            "country": "FR",
        },
    )
    event = Event.objects.filter(slug=demo.slug).first() or Event(slug=demo.slug)
    values = {
        "organisation": organisation,
        "kind": demo.kind,
        "access": demo.access,
        "status": Event.Status.PUBLISHED,
        "venue": venue,
        "time_zone": "Europe/Paris",
        "contact_email": demo.contact_email,
        **_bilingual("title", demo.title),
        **_bilingual("subtitle", demo.subtitle),
        **_bilingual("description", demo.description),
    }
    # The database refuses an event that leaves one of its sessions outside its dates, and a
    # session outside its event. So the dates first cover both the demo and every session
    # already there, the sessions are restored, then the dates shrink back as far as allowed.
    _save(event, {**values, **_dates_covering(event, demo)})
    rooms = {
        room.key: _upsert(
            Room,
            {"event": event, "name_fr": room.name.fr},
            {"name_en": room.name.en, "capacity": room.capacity, "position": room.position},
        )
        for room in demo.rooms
    }
    tracks = {
        track.slug: _upsert(
            Track,
            {"event": event, "slug": track.slug},
            {**_bilingual("name", track.name), "colour": track.colour},
        )
        for track in demo.tracks
    }
    speakers = {
        speaker.slug: _upsert(
            Speaker,
            {"organisation": organisation, "slug": speaker.slug},
            {
                "name": speaker.name,
                "affiliation": speaker.affiliation,
                **_bilingual("title", speaker.title),
                **_bilingual("bio", speaker.bio),
            },
        )
        for speaker in demo.speakers
    }
    demo_titles = {session.title.fr for session in demo.sessions}
    for item in demo.sessions:
        session = _load_session(event, item, rooms, tracks, demo_titles)
        for position, (slug, role) in enumerate(item.speakers):
            _upsert(
                SessionSpeaker,
                {"session": session, "speaker": speakers[slug], "role": role},
                {"position": position},
            )
    _save(event, _dates_covering(event, demo))
    return event


def _load_session(event, item: DemoSession, rooms, tracks, demo_titles) -> Session:
    room = rooms[item.room]
    start, end = item.slot
    session = (
        Session.objects.filter(event=event, title_fr=item.title.fr).first()
        # An organiser renamed it: the same slot still finds it, unless that title is another
        # demo session's.
        or Session.objects.filter(event=event, room=room, start=start, type=item.type)
        .exclude(title_fr__in=demo_titles)
        .first()
        or Session(event=event)
    )
    values = {
        "type": item.type,
        "room": room,
        "track": tracks[item.track] if item.track else None,
        "start": start,
        "end": end,
        "status": Session.Status.CONFIRMED,
        "is_public": True,
        "capacity": item.capacity,
        "requires_signup": item.requires_signup,
        **_bilingual("title", item.title),
        **_bilingual("abstract", item.abstract),
    }
    _save(session, values)
    return session


def _dates_covering(event: Event, demo: DemoEvent) -> dict:
    start, end = demo.start, demo.end
    if event.pk is not None:
        span = event.sessions.aggregate(first=Min("start"), last=Max("end"))
        if span["first"] is not None:
            start, end = min(start, span["first"]), max(end, span["last"])
    return {"start": start, "end": end}


def _bilingual(field: str, text: Bilingual) -> dict:
    return {f"{field}_fr": text.fr, f"{field}_en": text.en}


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    instance = model.objects.filter(**lookup).first() or model(**lookup)
    _save(instance, values)
    return instance


def _changes(instance: models.Model, values: dict) -> dict:
    changed = {}
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(instance, field.attname), value.pk if value else None
        else:
            current, wanted = getattr(instance, name), value
        if current != wanted:
            changed[name] = value
    return changed


def _save(instance: models.Model, values: dict) -> None:
    """Set `values`, validate and save, only when the instance is new or a value differs."""
    changed = _changes(instance, values)
    if instance.pk is not None and not changed:
        return
    for name, value in changed.items():
        setattr(instance, name, value)
    instance.full_clean()
    if instance.pk is not None and isinstance(instance, Event):
        update_event(event=instance)
    elif instance.pk is not None and isinstance(instance, Session):
        update_session(session=instance, data={})
    else:
        instance.save()
