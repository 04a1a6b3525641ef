"""Zone → county aliases: kept by province/city staff (their counties) and the system administrator,
each change a logged action; the importer uses them for the county column."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry import services
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import DivisionAlias, Enterprise

from .test_excel_support import valid_row, write_xlsx

COUNTY, COUNTY_NAME = "所在县（市、区）代码", "所在县（市、区）"


def _log(action):
    return ActionLog.objects.filter(action=action).order_by("-seq").first()


def test_city_staff_adds_edits_and_removes_an_alias_each_logged(world):
    city = world.users[Role.CITY_STAFF]
    record = services.division_alias_create(actor=city, alias=" 保定 竞秀工业园 ", county_id="130602", note="管委会来函")
    assert (record.alias, record.county_id, record.created_by) == ("保定竞秀工业园", "130602", city)
    assert _log("registry.divisionalias.created").changes["alias"] == [None, "保定竞秀工业园"]
    services.division_alias_update(actor=city, record=record, data={"county_id": "130606"})
    assert _log("registry.divisionalias.updated").changes == {"county_id": ["130602", "130606"]}
    before = ActionLog.objects.count()
    services.division_alias_update(actor=city, record=record, data={"county_id": "130606"})
    assert ActionLog.objects.count() == before  # nothing changed, nothing logged
    services.division_alias_delete(actor=city, record=record)
    assert not DivisionAlias.objects.exists()
    assert _log("registry.divisionalias.deleted").changes["county_id"] == ["130606", None]


def test_staff_act_only_within_their_jurisdiction_and_branches_not_at_all(world):
    with pytest.raises(PermissionDenied):  # 长安区 is Shijiazhuang's
        services.division_alias_create(actor=world.users[Role.CITY_STAFF], alias="某园区", county_id="130102")
    with pytest.raises(PermissionDenied):
        services.division_alias_create(actor=world.users[Role.BRANCH_STAFF], alias="某园区", county_id="130602")
    record = services.division_alias_create(actor=world.users[Role.PROVINCE_STAFF], alias="某园区", county_id="130102")
    with pytest.raises(PermissionDenied):
        services.division_alias_update(actor=world.users[Role.CITY_STAFF], record=record, data={"note": "x"})
    with pytest.raises(PermissionDenied):  # moving one's own alias out of the jurisdiction
        mine = services.division_alias_create(actor=world.users[Role.CITY_STAFF], alias="甲园区", county_id="130602")
        services.division_alias_update(actor=world.users[Role.CITY_STAFF], record=mine, data={"county_id": "130102"})
    admin = world.users[Role.SYSTEM_ADMIN]
    services.division_alias_update(actor=admin, record=record, data={"note": "管理员核实"})
    assert DivisionAlias.objects.get(pk=record.pk).note == "管理员核实"


def test_alias_is_refused_when_it_would_be_ambiguous_or_useless(world):
    staff = world.users[Role.PROVINCE_STAFF]
    services.division_alias_create(actor=staff, alias="白洋淀园区", county_id="130602")
    with pytest.raises(ValidationError) as exc:
        services.division_alias_create(actor=staff, alias="白洋淀园区", county_id="130606")
    assert "已对应到" in exc.value.message_dict["alias"][0]
    with pytest.raises(ValidationError) as exc:
        services.division_alias_create(actor=staff, alias="莲池区", county_id="130602")
    assert "本身就是县级行政区划名称" in exc.value.message_dict["alias"][0]
    with pytest.raises(ValidationError) as exc:
        services.division_alias_create(actor=staff, alias="某园区", county_id="130600")
    assert "县级行政区划" in exc.value.message_dict["county"][0]


def test_importer_uses_an_alias_within_the_jurisdiction_and_says_so(tmp_path, world):
    branch = world.users[Role.BRANCH_STAFF]
    services.division_alias_create(actor=world.users[Role.CITY_STAFF], alias="竞秀工业园", county_id="130602")
    row = valid_row(**{COUNTY: None, COUNTY_NAME: "竞秀工业园"})
    result = import_enterprises(actor=branch, path=write_xlsx(tmp_path / "a.xlsx", [row]))
    assert result.errors == [] and result.created == 1
    assert Enterprise.objects.get(uscc=row["统一社会信用代码"]).county_id == "130602"
    assert [(n.row, n.column, n.message) for n in result.notices] == [
        (2, "D", "“竞秀工业园”按区划别名对应到竞秀区（130602）")]


def test_an_alias_outside_the_jurisdiction_is_not_used(tmp_path, world):
    services.division_alias_create(actor=world.users[Role.CITY_STAFF], alias="莲池工业园", county_id="130606")
    row = valid_row(**{COUNTY: None, COUNTY_NAME: "莲池工业园"})
    result = import_enterprises(actor=world.users[Role.BRANCH_STAFF], path=write_xlsx(tmp_path / "a.xlsx", [row]))
    (error,) = result.errors
    assert (error.row, error.column) == (2, "D")
    assert "“莲池工业园”不是GB/T 2260行政区划，可在“区划别名”中将其对应到所属县（区）" in error.message
    assert "您辖区内的县级区划：竞秀区（130602）" in error.message


def test_unknown_zone_lists_similar_counties(tmp_path, world):
    row = valid_row(**{COUNTY: None, COUNTY_NAME: "竞秀"})
    result = import_enterprises(actor=world.users[Role.CITY_STAFF], path=write_xlsx(tmp_path / "a.xlsx", [row]))
    assert "名称相近的县级区划：竞秀区（130602）" not in result.errors[0].message  # "竞秀" is too short to match
    row = valid_row(**{COUNTY: None, COUNTY_NAME: "竞秀区开发区"})
    result = import_enterprises(actor=world.users[Role.CITY_STAFF], path=write_xlsx(tmp_path / "b.xlsx", [row]))
    assert "名称相近的县级区划：竞秀区（130602）" in result.errors[0].message


def test_alias_pages(world, login):
    client = login(world.users[Role.CITY_STAFF])
    response = client.post(reverse("registry:alias_create"), {"alias": "保定化工园", "county": "130606", "note": "测试"})
    assert response.status_code == 302
    record = DivisionAlias.objects.get()
    html = client.get(reverse("registry:alias_list")).content.decode()
    assert "保定化工园" in html and "莲池区" in html and "cstaff" in html
    response = client.post(reverse("registry:alias_edit", args=[record.pk]), {"alias": "莲池区", "county": "130606"})
    assert "本身就是县级行政区划名称" in response.content.decode()
    assert client.post(reverse("registry:alias_delete", args=[record.pk])).status_code == 302
    assert not DivisionAlias.objects.exists()
    branch_html = login(world.users[Role.BRANCH_STAFF]).get(reverse("registry:alias_list")).content.decode()
    assert "新增别名" not in branch_html
