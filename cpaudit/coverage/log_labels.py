"""Chinese labels of the coverage app's action-log codes (应开展未开展)."""

from cpaudit.core.logdisplay import PREFIX_LABELS, register

PREFIX_LABELS.setdefault("coverage", "应开展未开展")
register("coverage.register.imported", "导入外部名录（应开展未开展对照）")
register("coverage.exemption.proposed", "提出应开展未开展豁免")
register("coverage.exemption.approved", "批准应开展未开展豁免")
register("coverage.exemption.rejected", "不批准应开展未开展豁免")
register("coverage.enrolment.added", "按应开展未开展清单纳入审核批次")
register("coverage.export.completed", "导出应开展未开展对照结果")
