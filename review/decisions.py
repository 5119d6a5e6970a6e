"""The reviewer's decisions as one table, served by the browser console and the API alike.

Each row names the decision's URL slug, the account transition it takes (so the console offers only what the
status allows), the form and the serializer that validate its input, the service it calls and what the reviewer
is told afterwards.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts import holds
from accounts.lifecycle import ACCOUNT_MACHINE, account_message_post
from accounts.models import Hold

from . import forms, services
from .api import serializers


@dataclass(frozen=True)
class Decision:
    name: str
    transition: str | None  # None: not a status change (messages, holds), always offered
    run: Callable  # (account, reviewer, data) -> result
    done: str
    form: Callable | None = None  # (post data) -> Django form, for the console
    serializer: type | None = None  # the API's input serializer


def _start(account, reviewer, data):
    return services.review_start(account=account, reviewer=reviewer)


def _request_info(account, reviewer, data):
    return services.review_request_info(account=account, reviewer=reviewer, message=data["message"])


def _approve(account, reviewer, data):
    return services.account_approve(
        account=account,
        reviewer=reviewer,
        credit_limit=data["credit_limit"],
        account_number=data.get("account_number", ""),
    )


def _reject(account, reviewer, data):
    return services.account_reject(account=account, reviewer=reviewer, reason=data["reason"])


def _suspend(account, reviewer, data):
    return services.account_suspend(account=account, reviewer=reviewer, reason=data["reason"])


def _reinstate(account, reviewer, data):
    return services.account_reinstate(account=account, reviewer=reviewer)


def _message(account, reviewer, data):
    return account_message_post(account=account, author=reviewer, body=data["message"])


def _hold(account, reviewer, data):
    return holds.hold_place(
        organisation=account.organisation,
        reason=Hold.Reason.MANUAL,
        actor=reviewer,
        product_line=data.get("product_line", ""),
        note=data["note"],
    )


def _release(account, reviewer, data):
    hold = Hold.objects.filter(organisation=account.organisation, pk=data["hold_id"]).first()
    if hold is None:
        raise Http404
    return holds.hold_release(hold=hold, actor=reviewer, note=data.get("note", ""))


DECISIONS: dict[str, Decision] = {
    d.name: d
    for d in [
        Decision("start", "start_review", _start, _("The review has started.")),
        Decision(
            "request-info",
            "request_info",
            _request_info,
            _("The question has been sent to the applicant."),
            form=lambda post: forms.MessageForm(post, prefix="ask"),
            serializer=serializers.MessageInputSerializer,
        ),
        Decision(
            "approve",
            "approve",
            _approve,
            _("Approved as %(account_number)s."),
            form=forms.ApproveForm,
            serializer=serializers.ApproveInputSerializer,
        ),
        Decision(
            "reject",
            "reject",
            _reject,
            _("The application has been rejected."),
            form=forms.ReasonForm,
            serializer=serializers.ReasonInputSerializer,
        ),
        Decision(
            "suspend",
            "suspend",
            _suspend,
            _("The account has been suspended."),
            form=forms.ReasonForm,
            serializer=serializers.ReasonInputSerializer,
        ),
        Decision("reinstate", "reinstate", _reinstate, _("The account has been reinstated.")),
        Decision(
            "message",
            None,
            _message,
            _("The message has been sent."),
            form=forms.MessageForm,
            serializer=serializers.MessageInputSerializer,
        ),
        Decision(
            "hold",
            None,
            _hold,
            _("The hold has been placed."),
            form=forms.HoldForm,
            serializer=serializers.HoldInputSerializer,
        ),
        Decision("release", None, _release, _("The hold has been released.")),
    ]
}


def decisions_allowed(account) -> set[str]:
    """The status decisions the account's status allows (the applicant's own submit is not one of them)."""
    transitions = ACCOUNT_MACHINE.allowed(account)
    return {d.name for d in DECISIONS.values() if d.transition in transitions}
