"""The complete default texts: each organisation's first privacy notice (filled from its
details), the legal notice and the accessibility statement. Owners and superusers edit them in
the back office. Markup: a line starting with "## " is a heading, "- " a list item, a blank
line ends a paragraph (`notices.render`)."""

# ruff: noqa: E501, RUF001 - long lines of prose; French typography uses narrow spaces.

from urllib.parse import urlsplit

from django.conf import settings

from organisations.models import Organisation

PRIVACY_FR = """\
## Qui traite vos données
{name}, {address}, est responsable du traitement des données personnelles recueillies lors des inscriptions et des invitations à ses événements publiés sur ce site. Contact : {contact}.

## Délégué à la protection des données
Vous pouvez joindre le délégué à la protection des données (DPO) de {name} en écrivant à {contact}, à l’attention du délégué à la protection des données, ou par courrier à l’adresse ci-dessus.

## Pourquoi nous traitons vos données, et sur quelle base
- Inscription et admission à l’événement (nom, courriel, organisme, fonction, besoins d’accessibilité, ateliers choisis) : exécution de la mission de service public de {name} ou du contrat que forme votre inscription.
- Badges et contrôle d’accès (code du badge, passages aux points de contrôle) : même base ; ils servent à vous admettre et à la sécurité des lieux.
- Attestations de présence : même base ; elles sont établies à partir des passages enregistrés.
- Facturation et paiement (coordonnées du payeur, factures, avoirs) : obligation légale (tenue de la comptabilité).
- Photographies prises pendant l’événement : votre consentement, que vous pouvez retirer à tout moment.
- Nouvelles des prochains événements : uniquement avec votre consentement, que vous pouvez retirer à tout moment.

## Qui reçoit vos données
Les équipes de {name} chargées de l’événement et, pour leur seule mission, ses sous-traitants : l’hébergeur de ce site ; le prestataire d’envoi des courriels ; Stripe Payments Europe (Irlande) pour les paiements par carte ; le cas échéant, la plateforme Chorus Pro pour les factures aux organismes publics. Vos données ne sont ni vendues ni cédées.

## Transferts hors de l’Union européenne
Les données sont hébergées dans l’Union européenne. Stripe peut traiter certaines données de paiement aux États-Unis ; ces transferts sont encadrés par le cadre de protection des données UE–États-Unis et les clauses contractuelles types de la Commission européenne.

## Combien de temps nous les gardons
- Inscriptions et invitations : jusqu’à la fin de l’événement, puis au plus 12 mois avant anonymisation (seuls restent des décomptes sans identité).
- Passages aux points de contrôle : 12 mois après l’événement.
- Courriels envoyés : 3 mois après leur envoi, une fois l’événement terminé.
- Inscriptions restées impayées (place libérée ou annulée) : 3 mois après l’événement.
- Factures, avoirs et coordonnées du payeur : 10 ans (obligation comptable).
- Journal d’audit (qui a fait quoi, quand, dans l’espace d’administration et sur votre page) : 36 mois, 10 ans pour ce qui touche aux paiements et aux factures ; une inscription effacée ou anonymisée n’y est plus nommée.
- Consentement aux nouvelles : jusqu’à son retrait, ou jusqu’à l’anonymisation de l’inscription qui le porte.

## Vos droits
Vous disposez d’un droit d’accès, de rectification, d’effacement, de limitation, d’opposition et de retrait de votre consentement. Vous les exercez directement depuis votre page personnelle (le lien reçu par courriel après votre inscription ou dans votre invitation) : télécharger vos données, corriger votre nom, votre organisme ou votre fonction, retirer vos consentements, effacer votre inscription. Vous pouvez aussi écrire à {contact}.

## Réclamation
Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l’informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr.
"""

PRIVACY_EN = """\
## Who processes your data
{name}, {address}, is the controller of the personal data collected when you register for or are invited to its events published on this site. Contact: {contact}.

## Data protection officer
You can reach the data protection officer (DPO) of {name} by writing to {contact}, for the attention of the data protection officer, or by post at the address above.

## Why we process your data, and on what basis
- Registration and admission to the event (name, email, organisation, title, accessibility needs, chosen workshops): the public-service mission of {name} or the contract your registration forms.
- Badges and check-in (badge code, scans at checkpoints): the same basis; they admit you and keep the venue safe.
- Attendance certificates: the same basis; they are drawn from the recorded scans.
- Invoicing and payment (payer's details, invoices, credit notes): a legal obligation (keeping accounts).
- Photographs taken during the event: your consent, which you may withdraw at any time.
- News of future events: only with your consent, which you may withdraw at any time.

## Who receives your data
The staff of {name} who run the event and, for that task only, its processors: this site's host; the email delivery provider; Stripe Payments Europe (Ireland) for card payments; where relevant, the Chorus Pro platform for invoices to public bodies. Your data is neither sold nor handed over.

## Transfers outside the European Union
The data is hosted in the European Union. Stripe may process some payment data in the United States; these transfers are covered by the EU–US Data Privacy Framework and the European Commission's standard contractual clauses.

## How long we keep it
- Registrations and invitations: until the end of the event, then at most 12 months before they are anonymised (only counts without identity remain).
- Check-in scans: 12 months after the event.
- Emails sent: 3 months after sending, once the event is over.
- Registrations left unpaid (seat released or cancelled): 3 months after the event.
- Invoices, credit notes and the payer's details: 10 years (accounting obligation).
- Audit trail (who did what, when, in the back office and on your page): 36 months, 10 years for what concerns payments and invoices; an erased or anonymised registration is no longer named in it.
- Consent to news: until you withdraw it, or until the registration that carries it is anonymised.

## Your rights
You have the right of access, rectification, erasure, restriction, objection, and to withdraw your consent. You exercise them yourself from your personal page (the link emailed after you registered, or your invitation): download your data, correct your name, organisation or title, withdraw your consents, erase your registration. You may also write to {contact}.

## Complaints
If you believe your rights are not respected, you may lodge a complaint with the CNIL (Commission nationale de l'informatique et des libertés), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France, www.cnil.fr.
"""

LEGAL_FR = """\
## Propriété intellectuelle
Les textes des programmes appartiennent aux organismes qui publient leurs événements sur ce site et à leurs intervenants. Le logiciel Colloque est un logiciel libre.

## Données personnelles
Chaque organisme est responsable des données recueillies pour ses événements : sa politique de confidentialité est accessible depuis chaque formulaire d’inscription et chaque invitation.

## Cookies
Ce site n’utilise aucun cookie de mesure d’audience ni de publicité. Seuls des cookies techniques (session, protection contre la falsification de requêtes, langue) sont déposés.
"""

LEGAL_EN = """\
## Intellectual property
The programmes' texts belong to the bodies that publish their events on this site and to their speakers. The Colloque software is free software.

## Personal data
Each body is the controller of the data collected for its events: its privacy notice is linked from each registration form and each invitation.

## Cookies
This site sets no audience-measurement or advertising cookie. Only technical cookies (session, protection against request forgery, language) are set.
"""

ACCESSIBILITY_FR = """\
## Résultats des tests
Aucun audit de conformité au RGAA n’a encore été réalisé. Les pages publiques (programme, inscription, invitation, page personnelle) sont vérifiées à chaque version du logiciel par des tests automatisés (axe-core) et des parcours au clavier ; ces tests automatiques ne détectent qu’une partie des défauts et ne remplacent pas un audit.

## Contenus non accessibles
- Les documents PDF (factures, attestations, planches de badges) ne sont pas balisés pour les technologies d’assistance.
- La page du scanner de contrôle d’accès, réservée au personnel, repose sur la caméra.
- Le back-office (administration) n’a pas été vérifié.

## Établissement de cette déclaration
Technologies utilisées : HTML, CSS, JavaScript. Environnement de test : Chromium avec axe-core.

## Amélioration et contact
Si vous ne pouvez pas accéder à un contenu ou à un service, contactez-nous pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.
"""

ACCESSIBILITY_EN = """\
## Test results
No RGAA compliance audit has been carried out yet. The public pages (programme, registration, invitation, personal page) are checked at every release of the software by automated tests (axe-core) and keyboard walks; these automated checks find only part of the defects and do not replace an audit.

## Content that is not accessible
- PDF documents (invoices, certificates, badge sheets) are not tagged for assistive technologies.
- The check-in scanner page, for staff only, relies on the camera.
- The back office (administration) has not been checked.

## How this statement was drawn up
Technologies used: HTML, CSS, JavaScript. Test environment: Chromium with axe-core.

## Improvements and contact
If you cannot reach some content or a service, contact us to be pointed to an accessible alternative or to get the content in another form.
"""


def _contact(organisation: Organisation) -> str:
    return organisation.invoice_email or organisation.website or _site_contact()


def _site_contact() -> str:
    return settings.SERVER_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()


def _address(organisation: Organisation) -> str:
    lines = [organisation.legal_name or organisation.name]
    if organisation.address:
        lines.append(" ".join(organisation.address.split()))
    if organisation.postcode or organisation.city:
        lines.append(f"{organisation.postcode} {organisation.city}".strip())
    return ", ".join(lines[1:]) if len(lines) > 1 else lines[0]


def default_privacy_texts(organisation: Organisation) -> tuple[str, str]:
    """The French and English default notice, filled from the organisation's details."""
    details = {
        "name": organisation.legal_name or organisation.name,
        "address": _address(organisation),
        "contact": _contact(organisation),
    }
    return PRIVACY_FR.format(**details), PRIVACY_EN.format(**details)


def default_legal_notice() -> dict:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return {
        "publisher": f"Exploitant du site {host}",
        "publisher_contact": _site_contact(),
        "publication_director": f"Responsable de l’exploitant du site {host}",
        "host": f"Hébergeur du site {host}",
        "text_fr": LEGAL_FR,
        "text_en": LEGAL_EN,
    }


def default_accessibility_statement() -> dict:
    return {
        "contact": _site_contact(),
        "text_fr": ACCESSIBILITY_FR,
        "text_en": ACCESSIBILITY_EN,
    }
