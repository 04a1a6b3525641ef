from django.conf import settings

from . import clock


def platform(request):
    return {
        "PLATFORM_NAME": "清洁生产审核管理平台",
        "DEMO_MODE": settings.CPAUDIT_DEMO_MODE,
        "TODAY": clock.today(),
    }
