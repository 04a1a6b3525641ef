"""The floor page: 50 rows of the enterprise table read with one SQL query and rendered with a template,
for a logged-in user, through the platform's middleware. What any list page costs at least."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines

TEMPLATE = engines["django"].from_string(
    """<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>基准页</title></head><body>
<table><thead><tr><th>统一社会信用代码</th><th>企业名称</th><th>所在县</th><th>行业</th></tr></thead><tbody>
{% for uscc, name, county, industry in rows %}<tr><td>{{ uscc }}</td><td>{{ name }}</td><td>{{ county }}</td>
<td>{{ industry }}</td></tr>{% endfor %}</tbody></table></body></html>""")


@login_required
def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT uscc, name, county_id, industry_id FROM registry_enterprise "
                       "ORDER BY county_id, name LIMIT 50")
        rows = cursor.fetchall()
    return HttpResponse(TEMPLATE.render({"rows": rows}))  # no request: no context processors, no queries
