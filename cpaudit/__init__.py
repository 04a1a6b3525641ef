"""清洁生产审核管理平台 (cleaner production audit supervision platform)."""
