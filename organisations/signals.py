"""What organisations tell the apps above them. They connect their receivers in their
AppConfig.ready(): this app imports none of them (see .importlinter)."""

from django.dispatch import Signal

# Sent, inside the transaction that saves them, when details that bank transfers depend on
# (organisations.invoicing.BANK_FIELDS) change, with:
# - `organisation`: the organisation as saved;
# - `changes`: a list of BankDetailChange, values already masked for an email;
# - `changed_by`: the user who saved them (None: a script);
# - `changed_at`: an aware datetime.
# The registrations app emails every owner (registrations/bank_details.py).
bank_details_changed = Signal()
