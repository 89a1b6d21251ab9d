"""A new API token for an account, printed once (the only time its secret is known);
--revoke-all first revokes every token the account holds."""

from django.core.management.base import BaseCommand, CommandError

from study.selectors.api_tokens import user_by_username
from study.services.tokens import TokenError, api_token_create, api_tokens_revoke_all


class Command(BaseCommand):
    help = (
        "Print a new API token for --user (send it as 'Authorization: Token <token>'). "
        "With --revoke-all, revoke the account's tokens first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the account's username")
        parser.add_argument(
            "--revoke-all",
            action="store_true",
            help="revoke every token the account holds before printing a new one",
        )

    def handle(self, *args, user, revoke_all, **options):
        account = user_by_username(username=user)
        if account is None:
            raise CommandError(f"No account with username '{user}'.")
        if revoke_all:
            revoked = api_tokens_revoke_all(user=account, via="command")
            self.stderr.write(f"Revoked {revoked} token{'' if revoked == 1 else 's'} of '{user}'.")
        try:
            _, secret = api_token_create(user=account, via="command")
        except TokenError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(secret)
