"""`cpaudit export-form --application ID --format docx|pdf -o FILE [--version N] [--as-user USERNAME]`

Writes an application's form (Table 1 / Table 2): its latest submitted version (or --version N),
the draft when it was never submitted. When that version's form has been issued in the format
(cpaudit.documents), the issued, sealed file is written byte for byte. Reads only, so nothing is logged (as monthly-report). Acts
as SystemActor("export-form") unless --as-user is given, then within that user's scope. The file
is named "export-form.py" because Django takes the command's name from the file's name.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from cpaudit.applications.document import form_document, form_label
from cpaudit.applications.models import Application, ApplicationVersion
from cpaudit.core.errors import DomainError
from cpaudit.documents.application_documents import FORM
from cpaudit.documents.selectors import issued_bytes, issued_for
from cpaudit.org import access
from cpaudit.registry.excel.files import actor_for

FORMATS = ("docx", "pdf")


class Command(BaseCommand):
    help = "输出评估/验收申请表（表1、表2，docx 或 pdf）；已提交的输出最新提交版本，否则输出草稿。"

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Django's own --version (its release) would clash with the form's --version N.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--application", required=True, type=int, help="申请编号")
        parser.add_argument("--format", required=True, help="docx 或 pdf")
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件")
        parser.add_argument("--version", dest="form_version", type=int, help="版本号（默认最新提交版本）")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该用户的身份输出（仅其可查看的申请）")

    def handle(self, *args, **options):
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"不支持的格式“{options['format']}”，应为 docx 或 pdf")
        pk = options["application"]
        try:
            actor = actor_for(options["as_user"], "export-form")
            access.check(actor, "applications.application.view")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        application = access.scope(actor, Application.objects.filter(pk=pk)).select_related(
            "enrolment__enterprise", "campaign", "evaluation").first()
        if application is None:
            raise CommandError(f"申请“{pk}”不存在" + ("或不在您的管理范围内" if options["as_user"] else ""))
        try:
            doc = form_document(application, options["form_version"])
        except ApplicationVersion.DoesNotExist as exc:
            raise CommandError(f"申请“{pk}”没有第{options['form_version']}版") from exc
        version = application.versions.filter(number=doc["version"]).first() if doc["version"] else None
        issued = issued_for(FORM, version, fmt)
        try:
            data = issued_bytes(issued) if issued is not None else self.render(doc, fmt)
        except DomainError as exc:  # the issued file unreadable or not as issued
            raise CommandError(exc.message) from exc
        output: Path = options["output"]
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入输出文件 {output}：{exc.strerror or exc}") from exc
        sealed = f"，签发文书第{issued.pk}号" if issued is not None else ""
        self.stdout.write(f"已导出：{output}（{form_label(doc)}{sealed}）")

    def render(self, doc: dict, fmt: str) -> bytes:
        from cpaudit.applications import render  # the engines load fonts: only when a file is asked for

        try:
            return getattr(render, f"form_{fmt}")(doc)
        except ImproperlyConfigured as exc:  # e.g. no CJK font for the PDF
            raise CommandError(str(exc)) from exc
