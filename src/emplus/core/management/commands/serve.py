"""`emplus serve`: the platform under gunicorn."""

import os

from django.core.management.base import BaseCommand

from emplus.core.serving import serve


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (a production WSGI server)."

    def add_arguments(self, parser):
        default_bind = (
            os.environ.get("EMPLUS_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
        )
        parser.add_argument("--bind", default=default_bind, help="host:port (default %(default)s)")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-access-log", action="store_true")
        parser.add_argument(
            "--task-workers",
            type=int,
            default=int(os.environ.get("EMPLUS_TASK_WORKERS", "1")),
            help="background workers (emplus db-worker) to run beside the web server; 0 where "
            "they run on hosts of their own (default %(default)s)",
        )

        parser.add_argument(
            "--no-warm-reports",
            action="store_true",
            help="do not compute the evidence pages' reports at start (emplus warm-reports)",
        )

    def handle(self, *args, **options):
        self.stdout.write(f"Serving on http://{options['bind']}/ (Ctrl+C stops)")
        self.stdout.flush()
        serve(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            access_log=not options["no_access_log"],
            task_workers=max(options["task_workers"], 0),
            warm_reports=not options["no_warm_reports"],
        )
