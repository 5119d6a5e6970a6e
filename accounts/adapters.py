from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """New users keep the language they signed up in, so their emails speak it."""

    def save_user(self, request, user, form, commit=True):
        user.language = translation.get_language() or "de"
        return super().save_user(request, user, form, commit=commit)
