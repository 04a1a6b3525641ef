"""Hints for whoever reviews an application (the branch, the city, the panel): facts of the audit that
do not refuse anything but deserve a look.

`option_flags`: a 中/高费 option implemented before the 评估. The 评估 judges the feasibility of the
中/高费 options (stages 4–5) before they are implemented (domain README § 3), so an option already
implemented when the 评估 passed (or while it has not passed yet) is flagged.
"""

from ..models import Option, OptionCategory, OptionStatus

IMPLEMENTED_BEFORE_EVALUATION = "option_implemented_before_evaluation"


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def evaluation_passed_on(enrolment):
    """The date the enrolment's 评估 passed (the latest passed one), or None. One query."""
    from cpaudit.applications.models import Application, Kind, Status

    return (Application.objects.filter(enrolment=enrolment, kind=Kind.EVALUATION, status=Status.PASSED)
            .order_by("-result_date", "-pk").values_list("result_date", flat=True).first())


def option_flags(enrolment, kind: str) -> list[dict]:
    """[{code, message}] for the 中/高费 options of `enrolment` implemented before its 评估, as seen by
    the reviewer of an application of `kind` ("evaluation" or "acceptance"). Two queries."""
    from cpaudit.applications.models import Kind

    passed_on = evaluation_passed_on(enrolment)
    options = (Option.objects.filter(enrolment=enrolment, category=OptionCategory.HIGH,
                                     status=OptionStatus.IMPLEMENTED)
               .order_by("actual_date", "pk").only("name", "actual_date"))
    flags = []
    for option in options:
        done = f"实际完成日期为{_day(option.actual_date)}" if option.actual_date else "已标为已实施"
        if passed_on is None:
            still = "本次申请的评估尚未通过" if kind == Kind.EVALUATION else "该企业的评估尚未通过"
            message = f"中/高费方案「{option.name}」{done}，而{still}：中/高费方案应在评估通过后实施，请核实"
        elif option.actual_date is None or option.actual_date < passed_on:
            message = (f"中/高费方案「{option.name}」{done}，早于评估通过日期（{_day(passed_on)}）："
                       "中/高费方案应在评估通过后实施，请核实")
        else:
            continue
        flags.append({"code": IMPLEMENTED_BEFORE_EVALUATION, "message": message})
    return flags
