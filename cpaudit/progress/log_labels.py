"""Chinese labels of the progress app's action codes, registered when the app is ready so the log
page can describe every entry whether or not the module that writes it was imported."""

from cpaudit.core.logdisplay import register

register("progress.step.recorded", "填报审核步骤")
register("progress.step.confirmed", "核实审核步骤")
register("progress.step.returned", "退回审核步骤")
register("progress.step.reopened", "重新打开已核实的审核步骤")
register("progress.evidence.uploaded", "上传佐证材料")
register("progress.targets.updated", "修改阶段时间节点")
