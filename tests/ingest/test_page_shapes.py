"""Page shapes of documents from outside (tests/data/shapes/, each built from a real pattern):
a body run into one line, a 政务公开 header (as lines and as table rows), the occasion line in
brackets or led by ――, a photo caption above the report."""

from __future__ import annotations

from assistant.ingest.fields import read_fields, read_line
from assistant.ingest.load import load_file
from assistant.ingest.reflow import reflow
from assistant.ingest.reports import parse_file
from assistant.models import Line
from tests.fixtures.paths import DATA

SHAPES = DATA / "shapes"


def one(name: str):
    reports = parse_file(load_file(SHAPES / name))
    assert len(reports) == 1
    return reports[0]


def all_text(report) -> str:
    """The report's preamble and every section's text: what a reader and a search see."""
    return report.preamble + "".join(s.text for root in report.sections for s in root.walk())


def test_a_body_run_into_one_line_gets_its_heading_tree_back():
    report = one("oneline_body.txt")
    top = [(s.heading, s.role) for s in report.sections]
    assert top == [("2023年工作开展情况", "summary"), ("存在的问题", "problem"), ("2024年工作计划", "plan")]
    assert [c.heading for c in report.sections[0].children] == [
        "压紧压实安全生产责任", "深入开展重大事故隐患专项排查整治", "提升应急救援能力"]
    assert report.sections[1].text.startswith("一是部分企业主体责任落实不到位")
    assert (report.org, report.department, report.kind) == ("县应急管理局", "应急", "总结+计划")


def test_run_in_markers_split_only_in_sequence_at_sentence_ends():
    pad = "各项工作有序推进。" * 4
    text = (f"总体情况良好。{pad}一、主要成效（一）收入增长。全年增长5%，比上年提高1.2个百分点，第一、"
            f"二季度平稳。{pad}（二）支出有力。民生支出占比75%。二、存在问题一是结构单一；二是后劲不足。"
            f"{pad}三、下一步计划（一）抓收入。做好1.2亿元项目储备。{pad}")
    parts = [ln.text for ln in reflow([Line(text, 1)])]
    assert [p[:4] for p in parts] == ["总体情况", "一、主要", "（一）收", "（二）支", "二、存在", "三、下一", "（一）抓"]


def test_ordinary_paragraphs_are_left_alone():
    para = "全年完成投资1.2亿元，其中：1、基础设施0.8亿元。" * 20  # 1、 not in sequence twice
    assert [ln.text for ln in reflow([Line(para, 1)])] == [para]


def test_page_fields_are_metadata_never_title_or_text():
    report = one("zwgk_header.txt")
    assert report.title == "平潭综合实验区财政金融局2023年工作总结和2024年工作计划"
    assert (report.org, report.department) == ("平潭综合实验区财政金融局", "财政")
    text = all_text(report)
    assert "索引号" not in text and "栏目" not in text and "====" not in text
    assert [s.role for s in report.sections] == ["summary", "problem", "plan"]


def test_page_fields_as_table_rows_name_the_unit():
    report = one("zwgk_table.txt")
    assert (report.title, report.org, report.level, report.department) == (
        "东山县统计局2023年工作总结", "东山县统计局", "县", "统计")
    assert read_line("发布机构 | 东山县统计局 | 成文日期 | 2024-02-02") == {
        "org": "东山县统计局", "date": "2024-02-02"}


def test_a_field_line_needs_a_label_first():
    assert read_line("主要工作：抓好收入组织。") is None
    lines, fields = read_fields([Line("标题：某县民政局2024年工作要点", 1), Line("一、总体要求", 2)])
    assert fields.title == "某县民政局2024年工作要点" and lines[0].text == fields.title


def test_the_occasion_in_brackets_and_a_caption_stay_out_of_the_tree():
    report = one("congress_paren.txt")
    assert report.preamble.startswith("（2026年1月27日在XX省第十四届人民代表大会第四次会议上）")
    assert "省长XX作政府工作报告" not in [s.heading for s in report.sections]
    assert (report.org, report.period) == ("XX省", "2025年度")
    assert [s.heading for s in report.sections][:1] == ["2025年工作回顾"]


def test_an_occasion_led_by_a_horizontal_bar_is_front_matter():
    report = one("subtitle_bar.txt")
    assert report.preamble.startswith("――2026年1月26日在XX市第十六届人民代表大会第五次会议上")
    assert (report.org, report.level, report.period) == ("XX市", "市", "2025年度")
    assert [s.role for s in report.sections] == ["summary", "plan"]


def test_a_salutation_is_never_the_title_and_a_report_read_on_behalf_names_its_unit():
    report = one("on_behalf.txt")
    assert report.title != "各位代表:"
    assert (report.org, report.level) == ("木镇镇", "镇")  # 「受木镇镇人民政府委托」, not 受木镇镇
    assert [s.role for s in report.sections] == ["summary", "plan"]


def test_a_field_table_a_metadata_heading_and_a_time_first_byline_stay_out():
    report = one("cms_byline.txt")
    assert report.title == "长治市上党区统计局2020年工作总结暨2021年工作计划"
    assert (report.org, report.department) == ("长治市上党区统计局", "统计")
    text = all_text(report)
    assert "编辑" not in text and "元数据" not in text and "主题词" not in text


def test_a_body_first_page_names_its_unit_where_the_unit_acts():
    from assistant.ingest.metadata import extract_metadata

    body = "2023年,县应急管理局被县委、县政府授予“先进单位”称号,全年安全生产形势平稳。"
    assert extract_metadata("年度工作", body).org == "县应急管理局"
    street = "2022年,东港街道坚决贯彻落实市、区各项决策部署,经济社会持续向好。"
    assert extract_metadata("年度工作", street).org == "东港街道"


def test_a_report_to_the_standing_committee_is_its_issuers_and_names_its_place_there():
    """评议 and 审计 reports to a 人大常委会: the unit stands before 关于 in a title with no year,
    and the committee's line names the place its title leaves out."""
    from assistant.ingest.metadata import extract_metadata

    body = "——2010年9月27日洪湖市第三届人大常委会第二十四次会议\n尊敬的市人大主任、副主任,各位委员:"
    meta = extract_metadata("民政局关于接受市人大常委会评议的工作报告", body)
    assert (meta.org, meta.level, meta.department) == ("洪湖市民政局", "市", "民政")
    audit = "——2024年8月27日在淄博市第十七届人民代表大会常务委员会第二十次会议上\n"
    meta = extract_metadata("市审计局关于2023年度市级预算执行和其他财政收支的审计工作报告", audit)
    assert (meta.org, meta.department) == ("淄博市审计局", "审计")  # its own kind, not the topic's
    unnamed = "——2024年6月27日在市十四届人大常委会第十八次会议上\n"
    assert extract_metadata("市财政局关于2023年市本级决算的报告", unnamed).org == "市财政局"


def test_a_speaker_line_standing_as_the_title_names_the_unit():
    from assistant.ingest.metadata import extract_metadata

    meta = extract_metadata("汕头市潮阳区审计局局长 郑创平", "主任、各位副主任、秘书长、各位委员：\n我受区人民政府委托，报告审计工作。")
    assert (meta.org, meta.level, meta.department) == ("汕头市潮阳区审计局", "区", "审计")


def test_a_documents_own_contents_is_neither_title_nor_text_and_its_unit_line_names_it():
    """A budget report's opening (沙洋县财政局's page): its own 目录 of parts, 「第一部分 报告」,
    the title, an occasion line broken in two, the presenting unit's line, the salutation."""
    report = one("budget_contents.txt")
    assert report.title == "关于XX县2022年预算执行情况和2023年预算草案的报告"
    assert (report.org, report.department, report.period, report.kind) == (
        "XX县财政局", "财政", "2022年度", "总结+计划")
    assert [s.heading for s in report.sections] == ["2022年财政预算执行情况", "2023年预算草案"]
    assert "XX县财政局" in report.preamble and "各位代表" in report.preamble
    assert "预算表格" not in all_text(report)


def test_a_title_and_an_occasion_broken_over_two_lines_are_joined():
    """南开区财政局's page: 「…执行情况和」 + 「2024年预算草案的报告」, the occasion without ——."""
    report = one("split_title.txt")
    assert report.title == "XX区2023年预算执行情况和2024年预算草案的报告"
    assert report.preamble.startswith("2024年1月11日在XX区第十八届人民代表大会第五次会议上")
    assert (report.org, report.department, report.kind) == ("XX区财政局", "财政", "总结+计划")
    assert [s.role for s in report.sections] == ["summary", "plan"]


def test_a_speakers_line_is_never_the_title_but_names_the_unit():
    report = one("speaker_first.txt")
    assert report.title == "speaker_first"  # the file's name: the page holds no title
    assert report.org == "XX市XX区审计局"
    assert [s.heading for s in report.sections] == ["区级预算执行审计情况", "审计发现的主要问题"]


def test_the_title_is_the_line_above_the_occasion_and_a_salutation_names_no_unit():
    """A document site's headline above the report's own title, 「尊敬的市人大主任」 after it."""
    report = one("headline_above_title.txt")
    assert report.title == "民政局关于接受市人大常委会评议的工作报告"
    assert "尊敬" not in report.org
    assert report.department == "民政"
    assert [s.heading for s in report.sections] == ["民政局基本情况", "今年民政工作的基本思路"]


def test_a_genre_a_site_wrote_twice_and_table_pipes_leave_the_title():
    assert one("site_title.txt").title == "民政厅厅长述职报告"
    from assistant.ingest.split import title_text

    assert title_text("东柳街道2023年工作总结和2024年工作思路 |") == "东柳街道2023年工作总结和2024年工作思路"
    assert title_text("县审计局2023年工作总结") == "县审计局2023年工作总结"


def test_print_lines_are_joined_into_paragraphs_and_the_title_stays_whole():
    """A document site's page (桐乡市应急管理局's 工作要点): a line break every ~25 characters,
    the site's 「VIP专免」 under the title."""
    report = one("hard_wrapped.txt")
    assert (report.title, report.org, report.period) == (
        "市应急管理局2024年工作要点", "市应急管理局", "2024年度")
    assert [s.heading for s in report.sections][-2:] == ["主要目标", "重点工作"]
    work = report.sections[-1]
    assert [c.heading for c in work.children] == ["开展基层应急消防治理体系建设行动",
                                                  "开展安全生产治本攻坚行动"]
    assert "推动应急管理重心下移、力量下沉、保障下倾,年底前实现镇街全覆盖。" in work.children[0].text
    assert "0.0088以内。" in report.sections[-2].text


def test_a_document_sites_numbered_preview_pages_are_one_text_again():
    """Pages 1、 2、 3、 of a document site's preview, each cut inside a sentence (a 街道
    summary's shape on two sites): the numbers go, the cut words join, the tree comes back."""
    report = one("doc_site_pages.txt")
    text = all_text(report)
    assert "街道党工委统筹推进" in text and "取缔占道经营的自发市场" in text
    assert not any(s.heading.startswith(("2、", "3、")) for root in report.sections for s in root.walk())
    assert [s.heading.split("社区")[0] for s in report.sections][:2] == ["加大环境整治力度", "做好民生保障工作全年为困难群众发放救助金XX万元"]
    assert [c.heading for c in report.sections[-1].children] == ["持续改善人居环境", "提升为民服务水平"]
    assert report.org == "东风街道"


def test_numbered_items_that_end_their_sentences_stay_lines():
    from assistant.ingest.reflow import join_pages

    item = "全面落实各项工作任务，确保取得实效。" * 12
    lines = [Line(f"{n}、{item}", n) for n in (1, 2, 3)]
    assert join_pages(lines) == lines
    cut = [Line(f"1、{item}推进", 1), Line(f"2、{item}", 2)]
    assert [ln.text for ln in join_pages(cut)] == [f"{item}推进{item}", ""]


def test_an_issuing_notices_cover_gives_the_title_and_the_signing_unit():
    """A 政务公开 page of a 规划 issued by a government: the metadata grid left as rows of |,
    then 主送机关, 「《X》已经…通过,现印发给你们」 and the signature, run into the body."""
    report = one("cover_notice.txt")
    assert (report.title, report.org, report.level, report.department, report.kind) == (
        "东江县应急管理“十四五”规划", "东江县人民政府", "县", "应急", "计划")
    assert [s.heading for s in report.sections] == ["改革与发展基础", "总体要求"]
    assert "|" not in report.preamble


def test_a_title_with_its_year_first_names_its_unit_after_the_year():
    from assistant.ingest.metadata import extract_metadata

    meta = extract_metadata("2024年平阳县交通运输局工作计划", "今年以来,我县交通运输工作稳步推进。")
    assert (meta.org, meta.level, meta.department, meta.kind) == ("平阳县交通运输局", "县", "交通", "计划")
    assert extract_metadata("2023年工作总结和2024年工作计划", "各项工作有序推进。").org == "unknown"


def test_a_department_named_alone_takes_the_place_its_body_writes_before_it():
    from assistant.ingest.metadata import extract_metadata

    body = "主任、各位副主任、各位委员:\n我是第三次以石门县林业局局长身份在这里述职。"
    assert extract_metadata("林业局局长的述职报告", body).org == "石门县林业局"
    # a level word is the unit's own way of naming itself: kept (the sample 县统计局)
    assert extract_metadata("县统计局2023年工作总结", "突泉县统计局坚持以数据质量为核心。").org == "县统计局"


def test_field_labels_spaced_out_or_in_brackets_are_read():
    assert read_line("标 题: | 靖宇县水利局2022年工作总结及2023工作安排情况报告 |") == {
        "title": "靖宇县水利局2022年工作总结及2023工作安排情况报告"}
    assert read_line("[ 发布机构 ] | 巴南区木洞镇 | [ 有效性 ] | |") == {"org": "巴南区木洞镇"}
    assert read_line("废止日期: |") == {"other": ""}


def test_a_document_number_and_its_addressees_are_front_matter_not_headings():
    from assistant.ingest.chrome import front_kind

    assert front_kind("靖水字〔2022〕152号") == "number"
    assert front_kind("中共靖宇县委办公室:") == "salutation"
    assert front_kind("各村(居)民委员会、镇属各岗位、驻镇相关单位:") == "salutation"
    assert front_kind("主要做法:") == "" and front_kind("(一)加强党的建设:") == ""


def test_a_departments_system_named_with_its_place_gives_the_unit():
    """「中山人社系统坚决落实…」 with 「人社局长千企行」 in the text: the report is 中山市人社局's
    (a short name alone is its highest division: 中山市, not 大连's 中山区)."""
    from assistant.ingest.metadata import extract_metadata

    body = "2023年以来,中山人社系统坚决落实市委、市政府的工作部署。开展“人社局长千企行”专项行动。"
    meta = extract_metadata("年度工作", body)
    assert (meta.org, meta.level, meta.department) == ("中山市人社局", "市", "人社")
    assert extract_metadata("年度工作", "全县粮食系统1300多名职工。").org == "unknown"
