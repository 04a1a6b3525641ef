"""The enterprise registry: industries (GB/T 4754-2017), enterprises, consulting agencies."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models


class Industry(models.Model):
    code = models.CharField("行业代码", max_length=5, primary_key=True)
    level = models.PositiveSmallIntegerField("层级")  # 1 门类, 2 大类, 3 中类, 4 小类
    level_name = models.CharField("层级名称", max_length=4)
    name = models.CharField("行业名称", max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    section = models.CharField("门类", max_length=1)

    class Meta:
        ordering = ["code"]
        verbose_name = "行业（GB/T 4754-2017）"
        verbose_name_plural = "行业（GB/T 4754-2017）"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ManagementLevel(models.TextChoices):
    PROVINCIAL = "provincial", "省管"
    MUNICIPAL = "municipal", "市管"
    OTHER = "other", "其他"


MONEY = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True, "validators": [MinValueValidator(0)]}


class Enterprise(models.Model):
    """Every field of the seed's Table 1 and Table 2 that describes the enterprise."""

    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("企业代码（统一社会信用代码）", max_length=18, unique=True)
    # A code failing the GB 32100 check, accepted by staff after checking the business licence.
    uscc_check_accepted = models.BooleanField("已核对营业执照", default=False)
    county = models.ForeignKey("org.Division", verbose_name="所在县（市、区）", on_delete=models.PROTECT,
                               related_name="enterprises")
    address = models.CharField("企业所在地/地址", max_length=300)
    postcode = models.CharField("邮编", max_length=6, blank=True,
                                validators=[RegexValidator(r"^\d{6}$", "邮编应为6位数字")])
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    nature = models.CharField("企业性质", max_length=50, blank=True)
    industry = models.ForeignKey(Industry, verbose_name="所属行业", on_delete=models.PROTECT,
                                 related_name="enterprises")
    registered_capital = models.DecimalField("注册资本（万元）", **MONEY)
    main_business_revenue = models.DecimalField("主营业务收入（万元）", **MONEY)
    annual_output_value = models.DecimalField("年产值（万元）", **MONEY)
    annual_sales = models.DecimalField("年销售额（万元）", **MONEY)
    main_products = models.CharField("主要产品", max_length=500, blank=True)
    management_level = models.CharField("管理级别", max_length=12, choices=ManagementLevel.choices,
                                        default=ManagementLevel.OTHER)
    water_related = models.BooleanField("涉水企业", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["county_id", "name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"
        indexes = [models.Index(fields=["county", "name"]), models.Index(fields=["industry"])]

    def __str__(self) -> str:
        return self.name


class ConsultingAgency(models.Model):
    name = models.CharField("咨询机构名称", max_length=200, unique=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    uscc_check_accepted = models.BooleanField("已核对营业执照", default=False)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    industries = models.ManyToManyField(Industry, verbose_name="服务行业", blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = "咨询机构"
        verbose_name_plural = "咨询机构"

    def __str__(self) -> str:
        return self.name


class DivisionAlias(models.Model):
    """A name people use for a place that is not a GB/T 2260 unit (a development or chemical zone, a
    free trade zone), mapped by staff to the county-level division it lies in, so an imported register
    that names the zone finds its county. The importer looks aliases up within the importer's
    jurisdiction; the same text may stand for different counties in different provinces."""

    alias = models.CharField("别名", max_length=100)
    county = models.ForeignKey("org.Division", verbose_name="对应县（市、区）", on_delete=models.PROTECT,
                               related_name="aliases")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey("org.User", verbose_name="添加人", on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["county_id", "alias"]
        verbose_name = "区划别名"
        verbose_name_plural = "区划别名"
        constraints = [models.UniqueConstraint(fields=["alias", "county"], name="divisionalias_unique")]

    def __str__(self) -> str:
        return self.alias
