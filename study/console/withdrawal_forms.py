"""The console's withdrawal form: a researcher withdraws a participant and says why (the reason
is kept with the participant's record; services.withdrawals.participant_withdraw checks it too)."""

from django import forms

from study.services.withdrawals import WITHDRAWAL_REASON_MAX, WITHDRAWAL_REASON_REQUIRED


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the withdrawal (required)",
        max_length=WITHDRAWAL_REASON_MAX,
        error_messages={"required": WITHDRAWAL_REASON_REQUIRED},
    )
