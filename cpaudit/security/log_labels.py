"""Chinese labels of the security app's action-log codes."""

from cpaudit.core.logdisplay import PREFIX_LABELS, register

PREFIX_LABELS.setdefault("security", "登录保护与动态口令")
register("security.lockout.locked", "登录失败次数过多，账号被锁定")
register("security.lockout.unlocked", "解除登录锁定")
register("security.otp.enrolled", "绑定动态口令")
register("security.otp.reset", "重置动态口令")
