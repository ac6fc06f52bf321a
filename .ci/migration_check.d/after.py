# Run by the current code after it migrated the old database: the moved models read their rows
# through their new apps, their content types followed them, and the badge sheet queued under
# the task's old path (registrations.tasks.build_badge_sheet) runs, and the DRF key made before
# is an API token stored as its digest, which still authenticates.
import sys

from django.contrib.contenttypes.models import ContentType
from django_tasks_db.models import DBTaskResult

from accounts.models import ApiToken
from api.authentication import ApiTokenAuthentication
from badges.models import BadgeSheet
from badges.tasks import build_badge_sheet
from checkin.models import CheckIn, Checkpoint, ScannerDevice
from events.models import SessionSpeaker
from organisations.models import Membership, Organisation
from payments.models import Invoice, InvoiceCounter, Payment

problems = []
if not Membership.objects.filter(user__username="migcheck", organisation__siret__gt="").exists():
    problems.append("the member added before the move is not read through organisations")
if not InvoiceCounter.objects.filter(last_number=3).exists():
    problems.append("the invoice counter (3 invoices) is not read through payments")
for model, app in (
    (Organisation, "organisations"),
    (InvoiceCounter, "payments"),
    (Payment, "payments"),
    (BadgeSheet, "badges"),
    (Checkpoint, "checkin"),
    (ScannerDevice, "checkin"),
    (CheckIn, "checkin"),
    (SessionSpeaker, "events"),
):
    if ContentType.objects.get_for_model(model).app_label != app:
        problems.append(f"{model.__name__}'s content type did not follow it to {app}")
stale = ContentType.objects.filter(
    app_label__in=["events", "registrations"],
    model__in=[
        "organisation",
        "membership",
        "invoicecounter",
        "stripeevent",
        "badgesheet",
        "checkpoint",
        "scannerdevice",
        "checkin",
        "payment",
    ],
) | ContentType.objects.filter(app_label="speakers", model="sessionspeaker")
if stale.exists():
    problems.append(f"content types left behind: {list(stale.values_list('app_label', 'model'))}")
# The address's last line became the postcode and city.
for organisation in Organisation.objects.exclude(postcode=""):
    if not organisation.city or organisation.postcode in organisation.address:
        problems.append(f"{organisation}'s postcode and city were not taken from its address")
if not Organisation.objects.exclude(postcode="").exists():
    problems.append("no organisation's postcode and city were taken from its address")
# The invoices issued then are stored documents now, frozen at migration with their numbers.
frozen = Invoice.objects.filter(regenerated_at_migration=True)
if (
    sorted(frozen.values_list("number", flat=True))
    != sorted(
        Payment.objects.filter(invoice__isnull=False).values_list("invoice__number", flat=True)
    )
    or frozen.count() != 3
):
    problems.append("the 3 invoices issued before are not frozen, each with its payment")
if not frozen.filter(status=Invoice.Status.PAID, paid_at__isnull=False).exists():
    problems.append("the invoice paid before the migration is not paid after it")
if any(not bytes(invoice.pdf).startswith(b"%PDF") for invoice in frozen):
    problems.append("an invoice frozen at migration has no PDF")
if not SessionSpeaker.objects.filter(session__event__isnull=False, speaker__isnull=False).exists():
    problems.append("the demo's session roles are not read through events")
if not CheckIn.objects.filter(registration__isnull=False, checkpoint__event__isnull=False).exists():
    problems.append("the check-ins made before the move are not read through checkin")
[queued] = DBTaskResult.objects.filter(task_path="registrations.tasks.build_badge_sheet")
args, kwargs = queued.args_kwargs["args"], queued.args_kwargs["kwargs"]
queued.task.call(*args, **kwargs)
if BadgeSheet.objects.get(pk=args[0]).status != BadgeSheet.Status.DONE:
    problems.append("the badge sheet queued under the old task path was not built")
if queued.task.module_path != build_badge_sheet.module_path:
    problems.append("the old task path does not lead to badges.tasks.build_badge_sheet")
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
imported = ApiToken.objects.filter(user__username="migcheck", prefix=OLD_KEY[:8]).first()
if imported is None:
    problems.append("the DRF token made before is not an API token")
elif ApiTokenAuthentication().authenticate_credentials(OLD_KEY) != (imported.user, imported):
    problems.append("the DRF key made before does not authenticate as its user")
sys.stdout.write("".join(f"  WRONG: {problem}\n" for problem in problems))
sys.stdout.write(
    "moved models read through their new apps; the old task path runs; the old DRF key works\n"
)
sys.exit(1 if problems else 0)
