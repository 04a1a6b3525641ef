"""monthly-report and export-form as real processes on the demo: txt, docx and pdf written and read back."""

import shutil

from cpaudit.reports.render import fonts

from .scenarios import docx_text, pdf_text, scenario, squash


def submitted_branch_report(site) -> tuple[str, str, str, str]:
    """(campaign slug, county code, YYYY-MM, agency name) of the latest submitted branch report."""
    slug, code, month, name = site.sql(
        "SELECT c.slug, a.division_id, r.month, a.name FROM reports_monthlyreport r"
        " JOIN org_agency a ON a.id = r.agency_id JOIN campaigns_campaign c ON c.id = r.campaign_id"
        " WHERE r.kind = 'branch' AND r.status = 'submitted' ORDER BY r.month DESC, a.id")[0]
    return slug, code, str(month)[:7], name


def agencies_on(site, code: str) -> list[tuple[int, str]]:
    return site.sql("SELECT id, name FROM org_agency WHERE division_id = %s ORDER BY id", code)


@scenario("monthly-report")
def branch_report_in_three_formats(site, demo):
    slug, code, month, name = submitted_branch_report(site)
    before = site.log_count()
    titles = set()
    for fmt in ("txt", "docx", "pdf"):
        path = site.work_dir / f"月报.{fmt}"
        done = site.run("monthly-report", "--unit", code, "--campaign", slug, "--month", month,
                        "--format", fmt, "-o", path)
        assert done.code == 0 and done.err == [], done
        assert done.out[0].startswith(f"已输出{name}") and done.out[0].endswith(f"（第1版）到 {path}"), done
        if fmt == "txt":
            assert len(done.out) == 1, done
        else:  # a submitted version's Word and PDF: the files issued (sealed) at submission, byte for byte
            assert done.out[1].startswith("签发文书第"), done
            assert site.run("verify-document", path).out[0].startswith("有效\t"), fmt
        titles.add(done.out[0].split("（第")[0])
        text = {"txt": lambda p: p.read_text(encoding="utf-8"), "docx": docx_text, "pdf": pdf_text}[fmt](path)
        assert name in squash(text), (fmt, text[:300])
    assert len(titles) == 1  # one content, three renderers
    assert site.log_count() == before  # the command only reads


@scenario("monthly-report")
def city_by_agency_id_and_an_ambiguous_code_refused(site, demo):
    slug, _, month, _ = submitted_branch_report(site)
    candidates = agencies_on(site, "130600")
    assert len(candidates) == 2  # 保定市生态环境局 and 雄安新区's bureau share 保定's code
    common = ("--campaign", slug, "--month", month, "--format", "txt", "-o", site.work_dir / "city.txt")
    done = site.run("monthly-report", "--unit", "130600", *common)
    assert done.code == 1 and not (site.work_dir / "city.txt").exists(), done
    assert done.err == ["区划代码“130600”对应2个单位，无法确定是哪一个；请改用 --agency 指定单位编号：",
                        *[f"  编号 {pk}：{name}（市级生态环境局）" for pk, name in candidates]]
    baoding = next(pk for pk, name in candidates if name == "保定市生态环境局")
    done = site.run("monthly-report", "--agency", baoding, *common)
    assert done.code == 0 and done.out[0].startswith("已输出保定市生态环境局"), done
    assert "河北省生态环境厅" in (site.work_dir / "city.txt").read_text(encoding="utf-8")
    done = site.run("monthly-report", *common)
    assert (done.code, done.err) == (1, ["请指定 --unit（区划代码）或 --agency（单位编号）二者之一"]), done


@scenario("monthly-report")
def the_pdf_font_comes_from_the_environment(site, demo):
    # A draft is rendered now (a submitted version's PDF is the file issued at submission): the city's
    # consolidation of the newer month, which the demo leaves drafted.
    slug, _, month, _ = submitted_branch_report(site)
    baoding = next(pk for pk, name in agencies_on(site, "130600") if name == "保定市生态环境局")
    args = ("monthly-report", "--agency", baoding, "--campaign", slug, "--month", month, "--format", "pdf")
    missing = site.work_dir / "nofont.ttf"
    done = site.run(*args, "-o", "a.pdf", env={"CPAUDIT_PDF_FONT": missing})
    assert done.code == 1 and not (site.work_dir / "a.pdf").exists(), done
    assert done.err == [f"CPAUDIT_PDF_FONT 无法使用（{missing}: 不存在）。{fonts.MISSING_FONT_MESSAGE}"]
    system = next(path for path, _ in fonts.CANDIDATES if "wqy" in path)
    own = site.work_dir / "单位字体.ttc"
    shutil.copyfile(system, own)
    done = site.run(*args, "-o", "b.pdf", env={"CPAUDIT_PDF_FONT": own})
    assert done.code == 0, done
    assert b"/FontFile2" in (site.work_dir / "b.pdf").read_bytes()


def applications(site) -> tuple[int, int]:
    """(a submitted application, a draft one)."""
    rows = site.sql("SELECT id, status FROM applications_application ORDER BY id")
    return next(pk for pk, status in rows if status != "draft"), next(pk for pk, status in rows if status == "draft")


@scenario("export-form")
def form_as_word_and_pdf(site, demo):
    submitted, draft = applications(site)
    enterprise, county = site.sql("SELECT e.name, e.county_id FROM applications_application a JOIN campaigns_enrolment n"
                          " ON n.id = a.enrolment_id JOIN registry_enterprise e ON e.id = n.enterprise_id"
                          " WHERE a.id = %s", submitted)[0]
    before = site.log_count()
    for pk, fmt in ((submitted, "docx"), (submitted, "pdf"), (draft, "docx")):
        path = site.work_dir / f"表{pk}.{fmt}"
        done = site.run("export-form", "--application", pk, "--format", fmt, "-o", path)
        assert done.code == 0 and done.out[0].startswith(f"已导出：{path}（"), done
        text = docx_text(path) if fmt == "docx" else pdf_text(path)
        assert "申请表" in squash(text)
        if pk == submitted:
            assert squash(enterprise) in squash(text)
    assert site.log_count() == before
    done = site.run("export-form", "--application", 999999, "--format", "pdf", "-o", "x.pdf")
    assert done.code == 1 and "申请“999999”不存在" in done.err[-1], done
    outsider = "qy_staff" if county == "130602" else "jx_staff"  # a branch of another county
    done = site.run("export-form", "--application", submitted, "--format", "pdf", "-o", "y.pdf",
                    "--as-user", outsider)
    assert done.code == 1 and f"申请“{submitted}”不存在或不在您的管理范围内" in done.err[-1], done
    assert not (site.work_dir / "y.pdf").exists()
