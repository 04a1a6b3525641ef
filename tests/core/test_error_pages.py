from django.urls import reverse

from cpaudit.org.roles import Role


def test_404_is_in_chinese(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse("registry:enterprise_detail", args=[world.enterprises["other_city"].pk]))
    assert response.status_code == 404 and "不在您的管理范围内" in response.content.decode()


def test_csrf_failure_is_explained_in_chinese(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("logout"))
    assert response.status_code == 403 and "表单安全校验未通过" in response.content.decode()
