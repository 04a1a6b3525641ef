"""Electronic seals and issued documents (事后有督).

`SealKey`: an SM2 key pair of an agency (its 电子印章) or of the platform (which signs the log's
checkpoints). The private half is stored wrapped under the key-encryption key (crypto.py) and never
shown. `IssuedDocument`: one document in one format, rendered once at issue; its exact bytes are kept
in core.storedfiles under their SM3, and the SM2 signature over that SM3 is stored here. Every later
download serves those bytes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class KeyState(models.TextChoices):
    # Signs what its owner issues from now on; one per owner.
    ACTIVE = "active", "在用"
    # Replaced by a rotation: signs nothing more, still verifies what it signed.
    RETIRED = "retired", "已轮换"
    # Withdrawn (lost, leaked, an agency dissolved): a signature dated after `revoked_at` is invalid,
    # one dated before it is reported valid with the revocation date.
    REVOKED = "revoked", "已撤销"


class SealKey(models.Model):
    # None: the platform's own key (checkpoints of the action log).
    agency = models.ForeignKey("org.Agency", verbose_name="单位", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="seal_keys")
    number = models.PositiveIntegerField("序号")
    state = models.CharField("状态", max_length=10, choices=KeyState.choices, default=KeyState.ACTIVE)
    public_key = models.TextField("公钥（PEM）")
    fingerprint = models.CharField("公钥指纹（SM3）", max_length=64, unique=True)
    wrapped_private_key = models.TextField("私钥（SM4 加密）")
    kek_check = models.CharField("密钥加密密钥校验值", max_length=16)
    mac = models.CharField("完整性校验值", max_length=64)
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_by_name = models.CharField("生成人", max_length=100)
    retired_at = models.DateTimeField("轮换时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by_name = models.CharField("撤销人", max_length=100, blank=True)
    revoke_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        ordering = ["agency_id", "number"]
        verbose_name = "电子印章密钥"
        verbose_name_plural = "电子印章密钥"
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="sealkey_agency_number"),
            models.UniqueConstraint(fields=["number"], condition=Q(agency__isnull=True), name="sealkey_platform_number"),
            models.UniqueConstraint(fields=["agency"], condition=Q(state="active"), name="sealkey_one_active"),
            models.UniqueConstraint(fields=["state"], condition=Q(agency__isnull=True, state="active"),
                                    name="sealkey_one_active_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_name}电子印章密钥 #{self.number}"

    @property
    def owner_name(self) -> str:
        return str(self.agency) if self.agency_id else "平台"

    def identity(self) -> bytes:
        """What the MAC and the wrapped key's associated data bind: owner, number and public key."""
        owner = str(self.agency_id) if self.agency_id else "platform"
        return f"cpaudit-seal-key\n{owner}\n{self.number}\n{self.fingerprint}".encode()


class IssuedDocument(models.Model):
    # What is issued: `kind` names the object's model (services.KINDS), `object_id` the row.
    kind = models.CharField("类型", max_length=30)
    object_id = models.PositiveBigIntegerField("对象编号")
    format = models.CharField("格式", max_length=8)
    title = models.CharField("文书", max_length=300)
    # SM3 of the frozen content dict the file was rendered from (printed on the document).
    content_sm3 = models.CharField("内容SM3", max_length=64)
    content = models.JSONField("内容")
    # The file: its SM3 (its name in core.storedfiles) and size. Blank only inside the issuing transaction.
    file_sm3 = models.CharField("文件SM3", max_length=64, db_index=True, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    code = models.CharField("核验码", max_length=20, unique=True)
    agency = models.ForeignKey("org.Agency", verbose_name="签章单位", on_delete=models.PROTECT, related_name="+")
    agency_name = models.CharField("签章单位名称", max_length=200)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_by_name = models.CharField("签发人", max_length=100)
    issued_at = models.DateTimeField("签发时间")
    # The log head when the file was rendered (printed on it) and the issue's own log entry.
    head_seq = models.PositiveBigIntegerField("日志链头序号")
    head_digest = models.CharField("日志链头摘要", max_length=64)
    log_seq = models.PositiveBigIntegerField("签发日志序号", null=True, blank=True)
    key = models.ForeignKey(SealKey, verbose_name="印章密钥", on_delete=models.PROTECT, related_name="documents")
    signature = models.TextField("签名（SM2）", blank=True)
    # The first checkpoint written after the issue (None: still pending, e.g. the file was unwritable).
    checkpoint_seq = models.PositiveBigIntegerField("检查点序号", null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = "签发文书"
        verbose_name_plural = "签发文书"
        constraints = [
            # Issued once: the bytes never change, so a second issue of the same thing is refused.
            models.UniqueConstraint(fields=["kind", "object_id", "format"], name="issueddocument_once"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"第{self.pk}号文书：{self.title}（{self.format.upper()}）"
