"""`emplus demo`: migrate, load reference and demo data, print the log-ins, and serve."""

import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from emplus.demo.builder import demo_data_create, demo_refuse_in_production


class Command(BaseCommand):
    help = "Build the demo database and serve it on http://127.0.0.1:PORT/ (default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args, **options):
        try:
            demo_refuse_in_production()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", stdout=self.stdout)
        logins = demo_data_create()
        self.stdout.write("\nDemo log-ins (every password is the same, demo data only):\n")
        self.stdout.write(f"  {'user name':<22} {'password':<18} {'role':<12} {'org.':<11} unit")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<22} {login.password:<18} {login.role:<12} "
                f"{login.organisation:<11} {login.unit}"
            )
        if not settings.EMPLUS_REQUIRE_2FA:
            self.stdout.write(
                "\nNote: the second factor (TOTP) is not required in this demo; "
                "production settings require it."
            )
        if options["no_serve"]:
            return
        bind = f"127.0.0.1:{options['port']}"
        self.stdout.write(f"\nOpen http://{bind}/ in a browser (Ctrl+C stops).\n")
        self.stdout.flush()
        # Served by a fresh process, not this one: building the demo ran Polars here, and a web
        # worker forked from a process whose Polars thread pool has started waits forever at
        # its first Polars call (a file check). `emplus serve` forks from a clean interpreter.
        sys.stderr.flush()
        os.execv(  # noqa: S606 - our own command, in the same environment
            sys.executable,
            [sys.executable, "-m", "emplus", "serve", "--bind", bind, "--workers", "2"]
            + ["--threads", "4", "--no-access-log"],
        )
